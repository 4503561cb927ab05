/**
 * The local stack with demo data as a child process (sync/server/stack/main.ts), for start-web
 * without --server: started on 7410 when that is free (so a session survives restarts), else on any
 * port; ready when it prints "Gateway listening on <url>"; stopped with SIGTERM, which it answers by
 * shutting Postgres down cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PREFERRED_STACK_PORT = 7410;
const READY_LINE = /^Gateway listening on (\S+)/;
const STOP_GRACE_MS = 20_000;

export class LocalStackError extends Error {
  readonly code = 'local_stack';
}

export type LocalStack = {
  /** The gateway's URL once the stack printed it; rejects if the stack stops first. */
  ready: Promise<string>;
  /** Resolves when the stack process has ended (for whatever reason). */
  exited: Promise<void>;
  /** Stops the stack (SIGTERM, SIGKILL after a grace period); safe at any time, also while starting. */
  stop(): Promise<void>;
};

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Starts the stack; `ready` says when (and where) its gateway listens. */
export async function startLocalStack(dataDir: string, log: (line: string) => void): Promise<LocalStack> {
  const port = (await portIsFree(PREFERRED_STACK_PORT)) ? PREFERRED_STACK_PORT : 0;
  const main = fileURLToPath(new URL('../../sync/server/stack/main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, '--seed', 'demo', '--data-dir', dataDir, '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const ready = new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = READY_LINE.exec(line);
      if (m) resolve(m[1]!);
      // The stack's stdout (its DATABASE_URL line) goes to stderr: stdout is for "App ready at".
      log(`stack: ${line}`);
    });
    child.on('error', (e) => reject(new LocalStackError(`The local stack could not start: ${e.message}`)));
    child.on('exit', (code, signal) =>
      reject(new LocalStackError(`The local stack stopped (${signal ?? `exit code ${code}`}).`)),
    );
  });
  ready.catch(() => {}); // the caller awaits it; an exit after shutdown is no error
  return { ready, exited: exit, stop: () => stopChild(child, exit, () => exited) };
}

async function stopChild(child: ChildProcess, exit: Promise<void>, exited: () => boolean): Promise<void> {
  if (exited()) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exit;
  clearTimeout(timer);
}
