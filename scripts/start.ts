/**
 * `npm start`: the desktop app. With no server configured (FIELDLINE_SERVER_URL unset) it first runs
 * the local stack with demo data and offers it on the sign-in screen. Where Electron's binary is
 * missing (its download host was unreachable at install) it says so and opens browser mode instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NATIVE_BINDING_ENV } from '../sync/client/replica/open-replica.js';
import { defaultDataRoot } from '../sync/server/db/data-dir.js';
import { buildElectron } from './build-electron.js';
import { electronBinary, electronNativeBinding } from './electron-native.js';
import { startLocalStack, type LocalStack } from './start-web/local-stack.js';
import { ensureRendererBuilt } from './start-web/renderer-build.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => void process.stderr.write(`${line}\n`);

function forwardSignals(child: ChildProcess): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
}

async function main(): Promise<void> {
  const electron = electronBinary();
  if (!electron) {
    log(
      'Electron’s binary is not installed (its download host was unreachable at `npm install`); opening ' +
        'browser mode instead. Retry the download with `node node_modules/electron/install.js`.',
    );
    const web = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/start-web.ts')], {
      stdio: 'inherit',
    });
    forwardSignals(web);
    web.on('exit', (code) => process.exit(code ?? 1));
    return;
  }
  await ensureRendererBuilt(ROOT, path.join(ROOT, 'dist/renderer'), log);
  await buildElectron();
  let stack: LocalStack | undefined;
  let serverUrl = process.env.FIELDLINE_SERVER_URL;
  if (!serverUrl) {
    // The same stack folder browser mode uses, so both modes see one demo database.
    stack = await startLocalStack(path.join(defaultDataRoot(), 'app', 'stack'), log);
    serverUrl = await stack.ready;
  }
  const app = spawn(electron, [ROOT], {
    stdio: 'inherit',
    env: { ...process.env, FIELDLINE_SERVER_URL: serverUrl, [NATIVE_BINDING_ENV]: await electronNativeBinding(ROOT) },
  });
  forwardSignals(app);
  app.on('exit', (code) => {
    void (stack?.stop() ?? Promise.resolve()).then(() => process.exit(code ?? 1));
  });
}

main().catch((e: unknown) => {
  log(`npm start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
