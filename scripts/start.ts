/**
 * `npm start`. With no server configured it runs the local stack with demo data; the Electron
 * window joins once the desktop shell exists. Signals reach the child through the terminal's
 * process group, so Ctrl-C stops everything.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const stackMain = fileURLToPath(new URL('../sync/server/stack/main.ts', import.meta.url));
process.stderr.write('The desktop window is not built yet; starting the local stack with demo data.\n');
const child = spawn(process.execPath, ['--import', 'tsx', stackMain, '--seed', 'demo', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 1));
