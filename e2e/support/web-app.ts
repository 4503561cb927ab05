/**
 * Browser mode as a person starts it: `npm run start:web -- --port 0 --data-dir DIR --server URL`,
 * ready when it prints `App ready at http://127.0.0.1:<port>/`. Stopping it (SIGTERM) closes the
 * replica; starting it again on the same data dir is the app reopened.
 */
import path from 'node:path';
import { describeOutput, spawnChild, waitForLine, type ChildHandle } from '../../sync/server/testing/child.js';

export type WebApp = { url: string; dataDir: string; stop(): Promise<void>; output(): string };

export async function startWebApp(opts: { dataDir: string; serverUrl: string }): Promise<WebApp> {
  const args = ['--import', 'tsx', path.resolve('scripts/start-web.ts')];
  args.push('--port', '0', '--data-dir', opts.dataDir, '--server', opts.serverUrl);
  const child: ChildHandle = spawnChild(process.execPath, args);
  const ready = await waitForLine(child, /App ready at (http:\/\/127\.0\.0\.1:\d+\/)/, { timeoutMs: 180_000 });
  return {
    url: ready[1]!,
    dataDir: opts.dataDir,
    output: () => describeOutput(child),
    async stop() {
      if (child.exitResult()) return;
      child.process.kill('SIGTERM');
      await child.exited;
    },
  };
}
