// postinstall: fetch Electron's binary where its download host is reachable, and carry on without it
// where it is not (sandboxes, CI). `npm start` then opens browser mode instead of a window.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const note = (msg) => console.log(`fieldline postinstall: ${msg}`);

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  note('ELECTRON_SKIP_BINARY_DOWNLOAD is set; not downloading the Electron binary.');
  process.exit(0);
}

let installer;
try {
  installer = createRequire(import.meta.url).resolve('electron/install.js');
} catch {
  note('electron is not installed (production install?); nothing to fetch.');
  process.exit(0);
}

const child = spawn(process.execPath, [installer], { stdio: 'inherit' });
const timer = setTimeout(() => child.kill('SIGTERM'), 180_000);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  if (code === 0) note('Electron binary is ready.');
  else
    note(
      `the Electron binary could not be downloaded (${signal ?? `exit ${code}`}). Everything else works; ` +
        '`npm start` will open browser mode. Retry later with `node node_modules/electron/install.js`.',
    );
  process.exit(0);
});
