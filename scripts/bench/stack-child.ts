/**
 * Runs the local stack for a benchmark in its own process and prints one JSON line with what the
 * benchmark needs (gateway URL, the internal shape service URL and secret). Stops on SIGTERM.
 */
import { parseStackArgs } from '../../sync/server/stack/args.js';
import { startStack } from '../../sync/server/stack/stack.js';

const stack = await startStack(parseStackArgs(process.argv.slice(2)), {
  info: (m) => process.stderr.write(m + '\n'),
  progress: () => {},
});
process.stdout.write(
  JSON.stringify({ gatewayUrl: stack.gatewayUrl, shapes: stack.shapes, databaseUrl: stack.databaseUrl }) + '\n',
);
process.on('SIGTERM', () => void stack.stop().then(() => process.exit(0)));
