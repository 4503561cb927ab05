/**
 * Real child processes for tests: spawn, wait for a line of output, wait for exit, and find
 * processes by command line (Linux /proc) to prove nothing was left behind.
 * Every child spawned here is tracked; call `killChildren()` in afterEach/afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export type ExitResult = { code: number | null; signal: NodeJS.Signals | null };

export type ChildHandle = {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Set once the process has exited. */
  exitResult(): ExitResult | undefined;
  /** Resolves when the process exits (never rejects). */
  readonly exited: Promise<ExitResult>;
};

export type SpawnChildOptions = { cwd?: string; env?: NodeJS.ProcessEnv };

const live = new Set<ChildHandle>();

/** Spawns `command` with piped stdio and records its output. */
export function spawnChild(command: string, args: readonly string[], opts: SpawnChildOptions = {}): ChildHandle {
  const proc = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let result: ExitResult | undefined;
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<ExitResult>((resolve) => {
    proc.on('error', (e) => {
      err += `\n[spawn error] ${e.message}\n`;
      result ??= { code: null, signal: null };
      resolve(result);
    });
    // 'close' waits for stdio to drain, so the output is complete when it fires.
    proc.on('close', (code, signal) => {
      result = { code, signal };
      resolve(result);
    });
  });
  const handle: ChildHandle = {
    process: proc,
    pid: proc.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exitResult: () => result,
    exited,
  };
  live.add(handle);
  void exited.then(() => live.delete(handle));
  return handle;
}

/** The output of a child, for failure messages. */
export function describeOutput(child: ChildHandle, tail = 4000): string {
  const cut = (s: string) => (s.length > tail ? '…' + s.slice(-tail) : s);
  const exit = child.exitResult();
  return (
    `pid ${child.pid}${exit ? ` exited (code ${exit.code}, signal ${exit.signal})` : ' still running'}\n` +
    `--- stdout ---\n${cut(child.stdout())}\n--- stderr ---\n${cut(child.stderr())}`
  );
}

/**
 * Waits until a complete line on `stream` matches, and returns it (for a RegExp, the match).
 * Rejects, with the child's output, if the child exits first or the timeout passes.
 */
export async function waitForLine(
  child: ChildHandle,
  match: RegExp | string,
  { stream = 'stdout', timeoutMs = 60_000 }: { stream?: 'stdout' | 'stderr'; timeoutMs?: number } = {},
): Promise<RegExpMatchArray> {
  const read = stream === 'stdout' ? child.stdout : child.stderr;
  const pattern = typeof match === 'string' ? new RegExp(match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : match;
  const find = (): RegExpMatchArray | undefined => {
    const text = read();
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of complete.split(/\r?\n/)) {
      const m = line.match(pattern);
      if (m) return m;
    }
    return undefined;
  };
  const source = stream === 'stdout' ? child.process.stdout! : child.process.stderr!;
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      source.off('data', check);
    };
    const check = () => {
      const m = find();
      if (m) {
        done();
        resolve(m);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(`No ${stream} line matching ${String(match)} within ${timeoutMs} ms.\n${describeOutput(child)}`),
      );
    }, timeoutMs);
    // Listen after the handle's own listener, so `read()` already includes the chunk.
    source.on('data', check);
    void child.exited.then(() => {
      const m = find();
      done();
      if (m) resolve(m);
      else
        reject(
          new Error(`Exited before printing a ${stream} line matching ${String(match)}.\n${describeOutput(child)}`),
        );
    });
    check();
  });
}

/** Waits for the child to exit; rejects, with its output, after `timeoutMs`. */
export async function waitForExit(child: ChildHandle, timeoutMs = 30_000): Promise<ExitResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Still running after ${timeoutMs} ms.\n${describeOutput(child)}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `signal` and waits for the exit. */
export async function stopChild(
  child: ChildHandle,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
): Promise<ExitResult> {
  if (!child.exitResult()) child.process.kill(signal);
  return waitForExit(child, timeoutMs);
}

/** SIGKILLs every child spawned by this module that is still running, and waits for them. */
export async function killChildren(): Promise<void> {
  const running = [...live];
  for (const c of running) if (!c.exitResult()) c.process.kill('SIGKILL');
  await Promise.all(running.map((c) => waitForExit(c, 10_000).catch(() => undefined)));
}

export type ProcessInfo = { pid: number; ppid: number; state: string; cmdline: string };

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …"; comm may itself contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(rest[1]), state: rest[0] ?? '?', cmdline };
  } catch {
    return undefined; // gone between listing and reading
  }
}

/** Every process on the machine (Linux only), except zombies. */
export function listProcesses(): ProcessInfo[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProcess(Number(d)))
    .filter((p): p is ProcessInfo => !!p && p.state !== 'Z');
}

/** Live processes (other than this one) whose command line contains `substring`. */
export function findProcesses(substring: string): ProcessInfo[] {
  return listProcesses().filter((p) => p.pid !== process.pid && p.cmdline.includes(substring));
}

/** The live descendants of `pid` (children, grandchildren, …). */
export function descendants(pid: number): ProcessInfo[] {
  const all = listProcesses();
  const found: ProcessInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const p = readProcess(pid);
  return !!p && p.state !== 'Z';
}

/** SIGKILLs the given processes (ids found with `findProcesses`/`descendants`), ignoring ones already gone. */
export function killProcesses(procs: readonly { pid: number }[]): void {
  for (const { pid } of procs) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
