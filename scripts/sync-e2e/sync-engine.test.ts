/**
 * The sync engine in its worker thread (sync/client/engine) against the real stack: the boundary
 * the Electron main process and the CLI use.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCED_TABLES, tableByName } from '../../shared/schema/tables.js';
import type { TableDef } from '../../shared/schema/table.js';
import { SyncEngine } from '../../sync/client/engine/sync-engine.js';
import { InvalidEngineOptionsError } from '../../sync/client/engine/sync-engine.js';
import { openReplica } from '../../sync/client/replica/open-replica.js';
import { asUser, userClaims } from '../../sync/server/db/as-user.js';
import { startGateway, type RunningGateway } from '../../sync/server/gateway/server.js';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { loadDemo } from '../../sync/server/seed/load.js';
import { testConfig, waitFor } from '../../sync/server/shape-service/client-test-support.js';
import { startShapeService, type RunningShapeService } from '../../sync/server/shape-service/service.js';
import { connect, createTestDatabase, type TestDatabase } from '../../sync/server/testing/pg.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { replicaChecksum, serverChecksum } from './row-checksum.js';

const SECRET = 'shape-service-secret-for-tests';
const EMAIL = 'tech@northwind.test';
const FAST_RETRY = { initialDelay: 50, maxDelay: 300, multiplier: 1.5 };

let db: TestDatabase;
let sql: pg.Client;
let shapes: RunningShapeService;
let gateway: RunningGateway;
let dir: string;
let tech: { id: string; orgId: string };

beforeAll(async () => {
  db = await createTestDatabase('migrated');
  sql = await connect(db.url);
  const loaded = await loadDemo(sql, { seed: 5, anchor: new Date('2026-06-01T00:00:00Z') });
  if (!loaded.loaded) throw new Error(loaded.reason);
  const user = loaded.users.find((u) => u.email === EMAIL)!;
  const org = await sql.query<{ id: string }>('select id from organizations where slug = $1', [user.org]);
  tech = { id: user.id, orgId: org.rows[0]!.id };
  shapes = await startShapeService(testConfig(db.url, makeTempDir('engine-shapes'), { secret: SECRET }));
  gateway = await startGateway({
    databaseUrl: db.url,
    jwtSecret: new TextEncoder().encode('a-test-jwt-secret-that-is-long-enough-123'),
    upstream: { url: shapes.url, secret: SECRET },
    port: 0,
  });
  dir = makeTempDir('engine');
});

afterAll(async () => {
  await gateway?.stop();
  await shapes?.stop();
  await sql?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function equalToServer(file: string, tables: readonly TableDef[] = SYNCED_TABLES) {
  const client = await connect(db.url);
  try {
    const server = await asUser(client, userClaims(tech.id, tech.orgId), async (c) => {
      const out: Record<string, unknown> = {};
      for (const t of tables) out[t.name] = await serverChecksum(c, t);
      return out;
    });
    const { db: replica } = openReplica(file);
    try {
      const local = Object.fromEntries(tables.map((t) => [t.name, replicaChecksum(replica, t)]));
      return JSON.stringify(local) === JSON.stringify(server);
    } finally {
      replica.close();
    }
  } finally {
    await client.end();
  }
}

const start = (file: string, extra: Partial<Parameters<typeof SyncEngine.start>[0]> = {}) =>
  SyncEngine.start({
    dbFile: file,
    serverUrl: gateway.url,
    auth: { kind: 'password', email: EMAIL, password: DEMO_PASSWORD },
    retry: FAST_RETRY,
    ...extra,
  });

describe('SyncEngine (worker thread)', () => {
  it('syncs every table to live, reports status and changes, and stops cleanly', async () => {
    const file = path.join(dir, 'engine.db');
    const engine = start(file);
    const changed: string[] = [];
    const sessions: unknown[] = [];
    let fatal: unknown;
    engine.on('changed', (c) => changed.push(...c.tables));
    engine.on('session', (s) => sessions.push(s));
    engine.on('fatal', (e) => (fatal = e));
    try {
      await new Promise<void>((resolve) => engine.once('live', resolve));
      expect(fatal).toBeUndefined();
      expect(engine.live).toBe(true);
      expect(engine.statuses().map((s) => s.phase)).toEqual(SYNCED_TABLES.map(() => 'live'));
      expect(sessions).toHaveLength(1);
      const deviceRows = engine.statuses().find((s) => s.table === 'devices')!.rows;
      expect(deviceRows).toBeGreaterThan(0);

      const before = changed.length;
      await sql.query(
        `update devices set notes = 'from the engine test'
         where id = (select id from devices where organization_id = $1 order by id limit 1)`,
        [tech.orgId],
      );
      await waitFor(() => changed.slice(before).includes('devices'), 15_000);
    } finally {
      await engine.stop();
    }
    // The worker closed the file: it can be opened and written, and it matches the server.
    expect(await equalToServer(file)).toBe(true);
  });

  it('wrong password: a fatal invalid_credentials, the thread ends, and no replica is created', async () => {
    const file = path.join(dir, 'never.db');
    const engine = start(file, { auth: { kind: 'password', email: EMAIL, password: 'not-the-password' } });
    const fatal = await new Promise<{ code: string; message: string }>((resolve) => engine.once('fatal', resolve));
    expect(fatal.code).toBe('invalid_credentials');
    await engine.whenStopped();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses invalid options at the call site', () => {
    expect(() =>
      SyncEngine.start({ dbFile: '', serverUrl: 'ftp://x', auth: { kind: 'password', email: '', password: '' } }),
    ).toThrow(InvalidEngineOptionsError);
    expect(() => start(path.join(dir, 'x.db'), { tables: [] })).toThrow(/tables/);
  });

  it('an unknown table is a fatal error naming it', async () => {
    const engine = start(path.join(dir, 'unknown.db'), { tables: ['devices', 'no_such_table'] });
    const fatal = await new Promise<{ code: string; message: string }>((resolve) => engine.once('fatal', resolve));
    expect(fatal).toMatchObject({ code: 'unknown_table', message: expect.stringContaining('no_such_table') });
    await engine.whenStopped();
    expect(tableByName('devices')).toBeDefined();
  });
});
