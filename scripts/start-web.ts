/**
 * `npm run start:web -- [--port 7400] [--data-dir DIR] [--server URL]`: the renderer in a browser,
 * talking to the app's main-process services (electron/services) over the localhost bridge
 * (electron/bridge). Without --server it first starts the local stack with demo data in
 * <data-dir>/stack. When ready it prints `App ready at http://127.0.0.1:<port>/` on stdout (all other
 * output goes to stderr); SIGINT/SIGTERM stop the engine, the bridge and the stack cleanly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBridge, type RunningBridge } from '../electron/bridge/bridge.js';
import { AppHost } from '../electron/services/app-host.js';
import { FileTokenStore } from '../electron/services/file-token-store.js';
import { parseStartWebArgs, UsageError } from './start-web/args.js';
import { startLocalStack, type LocalStack } from './start-web/local-stack.js';
import { ensureRendererBuilt } from './start-web/renderer-build.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STATIC_DIR = path.join(ROOT, 'dist', 'renderer');
const log = (line: string) => void process.stderr.write(`${line}\n`);

type Running = { stack?: LocalStack; host?: AppHost; bridge?: RunningBridge };

async function shutdown(running: Running): Promise<void> {
  await running.bridge?.close().catch((e: unknown) => log(`start:web: closing the bridge failed: ${String(e)}`));
  await running.host?.close().catch((e: unknown) => log(`start:web: stopping sync failed: ${String(e)}`));
  await running.stack?.stop();
}

async function main(): Promise<void> {
  const opts = parseStartWebArgs(process.argv.slice(2));
  const running: Running = {};
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: stopping…`);
    void shutdown(running).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  try {
    await ensureRendererBuilt(ROOT, STATIC_DIR, log);
    let serverUrl = opts.server;
    if (!serverUrl) {
      // Created readable by others: under root, the stack's Postgres runs as `postgres` and must enter it.
      fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o755 });
      running.stack = await startLocalStack(path.join(opts.dataDir, 'stack'), log);
      serverUrl = await running.stack.ready;
      void running.stack.exited.then(() => {
        if (stopping) return;
        log('start:web: the local stack stopped on its own; stopping the app too.');
        stop('stack exit');
      });
    }
    if (stopping) return;
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    running.host = await AppHost.open({
      dataDir: opts.dataDir,
      mode: 'browser',
      version,
      tokenStore: new FileTokenStore(path.join(opts.dataDir, 'session.json')),
      defaultServerUrl: serverUrl,
    });
    // An explicit --server is the server to use from now on.
    if (opts.server) await running.host.handlers['settings:update']({ serverUrl: opts.server });
    running.bridge = await startBridge({ host: running.host, port: opts.port, staticDir: STATIC_DIR });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      log(`start:web: port ${opts.port} is in use; pass --port 0 for any free port.`);
    else log(`start:web: ${e instanceof Error ? e.message : String(e)}`);
    await shutdown(running);
    process.exit(1);
  }
  if (stopping) return;
  process.stdout.write(`App ready at ${running.bridge.url}\n`);
  log(`Data in ${opts.dataDir}. Ctrl-C stops everything.`);
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    log(e.message);
    process.exit(2);
  }
  log(`start:web: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
