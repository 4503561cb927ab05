/**
 * `npm run fieldline -- <command>`: the headless client for operators and diagnostics (DESIGN.md,
 * public interfaces). See args.ts for the commands and USAGE.
 */
import { EXIT_USAGE, parseCommandLine, USAGE } from './args.js';

const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text);

async function main(): Promise<number> {
  const cmd = parseCommandLine(process.argv.slice(2), process.env);
  switch (cmd.command) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'error':
      process.stderr.write(`${cmd.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    case 'status': {
      const { runStatus } = await import('./status-command.js');
      return runStatus(cmd, { out: write(process.stdout), err: write(process.stderr) });
    }
    case 'sync': {
      const { runSync } = await import('./sync-command.js');
      return runSync(cmd, {
        out: write(process.stdout),
        err: write(process.stderr),
        isTty: process.stdout.isTTY === true && process.env.TERM !== 'dumb',
        columns: () => process.stdout.columns,
        signals: process,
        exit: (code) => process.exit(code),
      });
    }
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; should a stray handle linger, do not hang on it.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (e: unknown) => {
    process.stderr.write(`fieldline: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
