/**
 * The standalone shape service (`npm run shape-service`, i.e. main.ts) as its own process,
 * configured with Electric's CI-style environment: it becomes healthy, serves the official client,
 * honours DELETE, and stops with exit code 0 on SIGTERM. Bad configuration exits with code 2.
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  describeOutput,
  killChildren,
  spawnChild,
  stopChild,
  waitForExit,
  type ChildHandle,
} from '../testing/child.js';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { openShape, sortBy, uniqueStreamId, until, waitFor, type OpenedShape } from './client-test-support.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(repoRoot, 'sync/server/shape-service/main.ts');

let db: TestDatabase;
let sql: pg.Client;
const opened: OpenedShape[] = [];

beforeAll(async () => {
  db = await createTestDatabase('empty');
  sql = await connect(db.url);
  await sql.query(`create table todos (id int primary key, title text not null, done bool not null default false);
    insert into todos values (1, 'first', false), (2, 'second', true)`);
});

afterEach(async () => {
  for (const s of opened.splice(0)) s.close();
  await killChildren();
});

afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

/** The environment without anything of ours or Electric's leaking in from the parent. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('ELECTRIC_') && k !== 'DATABASE_URL'),
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const spawnService = (env: NodeJS.ProcessEnv): ChildHandle =>
  spawnChild(process.execPath, ['--import', 'tsx', MAIN], { cwd: repoRoot, env });

describe('standalone shape service', () => {
  it('starts with CI-style env, serves the official client, honours DELETE, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const streamId = uniqueStreamId('standalone');
    const child = spawnService({
      ...baseEnv(),
      DATABASE_URL: db.url,
      ELECTRIC_PORT: String(port),
      ELECTRIC_INSECURE: 'true',
      ELECTRIC_ENABLE_INTEGRATION_TESTING: 'true',
      ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD: '10000',
      ELECTRIC_CACHE_MAX_AGE: '1',
      ELECTRIC_CACHE_STALE_AGE: '3',
      ELECTRIC_STORAGE_DIR: makeTempDir('standalone'),
      ELECTRIC_REPLICATION_STREAM_ID: streamId,
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (child.exitResult()) throw new Error(`service exited early\n${describeOutput(child)}`);
        const res = await fetch(`${base}/v1/health`).catch(() => undefined);
        return res?.status === 200 && ((await res.json()) as { status: string }).status === 'active';
      },
      60_000,
      () => describeOutput(child),
    );

    const s = openShape(base, { table: 'todos' });
    opened.push(s);
    expect(sortBy(await s.shape.rows, 'id')).toEqual([
      { id: 1, title: 'first', done: false },
      { id: 2, title: 'second', done: true },
    ]);
    // The configured cache ages reach the responses.
    const nonLive = s.requests.find((r) => r.url.searchParams.get('offset') === '0_0')!;
    expect(nonLive.headers.get('cache-control')).toBe('public, max-age=1, stale-while-revalidate=3');

    await sql.query(`insert into todos values (3, 'third', false)`);
    await until(s.shape, (r) => r.length === 3);

    const handle = s.stream.shapeHandle!;
    const del = await fetch(`${base}/v1/shape?table=todos`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    await sql.query(`update todos set done = true where id = 3`);
    const rows = await until(s.shape, (r) => r.length === 3 && r.every((x) => x.done === true || x.id === 1));
    expect(s.stream.shapeHandle).not.toBe(handle);
    expect(s.requests.some((r) => r.status === 409)).toBe(true);
    expect(sortBy(rows, 'id').map((r) => r.done)).toEqual([false, true, true]);

    // SIGTERM while the client holds a long poll: a clean stop, the replication slot released.
    await waitFor(() => s.sent.length > s.requests.length && s.sent.at(-1)!.searchParams.get('live') === 'true', 5_000);
    const exit = await stopChild(child, 'SIGTERM', 20_000);
    expect(exit, describeOutput(child)).toEqual({ code: 0, signal: null });
    expect(child.stderr()).toContain(`Shape service listening on http://127.0.0.1:${port}`);
    const slots = await sql.query<{ active: boolean }>(
      `select active from pg_replication_slots where slot_name = 'electric_slot_' || $1`,
      [streamId],
    );
    expect(slots.rows).toEqual([{ active: false }]);
  });

  it.each([
    ['no DATABASE_URL', { ELECTRIC_INSECURE: 'true' }, /DATABASE_URL is required/],
    [
      'neither ELECTRIC_SECRET nor ELECTRIC_INSECURE',
      { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' },
      /Set ELECTRIC_SECRET, or ELECTRIC_INSECURE=true/,
    ],
    [
      'a malformed number',
      { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', ELECTRIC_INSECURE: 'true', ELECTRIC_PORT: 'eighty' },
      /ELECTRIC_PORT must be a whole number/,
    ],
  ])('exits with code 2 and a clear message: %s', async (_name, env, message) => {
    const child = spawnService({ ...baseEnv(), ...env });
    const exit = await waitForExit(child, 30_000);
    expect(exit, describeOutput(child)).toEqual({ code: 2, signal: null });
    expect(child.stderr()).toMatch(message);
    expect(child.stderr()).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});
