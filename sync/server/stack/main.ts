/**
 * `npm run stack`: prints `DATABASE_URL=…` and then `Gateway listening on …` on stdout when ready;
 * everything else goes to stderr. SIGINT/SIGTERM stop cleanly
 * and keep the data dir.
 */
import { parseStackArgs, UsageError } from './args.js';
import { startStack, type Logger, type RunningStack } from './stack.js';

function makeLogger(): Logger {
  const tty = process.stderr.isTTY;
  let lastProgress = 0;
  let progressShown = false;
  return {
    info(msg) {
      if (progressShown && tty) process.stderr.write('\n');
      progressShown = false;
      process.stderr.write(msg + '\n');
    },
    progress(msg) {
      if (tty) {
        process.stderr.write(`\r${msg}`);
        progressShown = true;
      } else if (Date.now() - lastProgress > 1000) {
        lastProgress = Date.now();
        process.stderr.write(msg + '\n');
      }
    },
  };
}

async function main(): Promise<void> {
  const opts = parseStackArgs(process.argv.slice(2));
  const log = makeLogger();
  let stoppingSince = 0;
  const state: { stack?: RunningStack } = {};
  const shutdown = async (signal: string) => {
    if (stoppingSince) {
      // npm and tsx both relay the same signal; only a later, deliberate one means "hurry".
      if (Date.now() - stoppingSince < 1500) return;
      log.info(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info(`${signal}: stopping…`);
    await state.stack?.stop();
    log.info('Stopped. Data kept in ' + opts.dataDir);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  const stack = (state.stack = await startStack(opts, log));
  if (stoppingSince) return;
  process.stdout.write(`DATABASE_URL=${stack.databaseUrl}\n`);
  process.stdout.write(`Gateway listening on ${stack.gatewayUrl}\n`);
  if (opts.electricUrl) log.info(`Shapes come from ELECTRIC_URL (${opts.electricUrl}).`);
  log.info('Stack ready. Ctrl-C stops it.');
  // Keep running until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(e.message + '\n');
    process.exit(2);
  }
  process.stderr.write(`Stack failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
