/**
 * The shape consumer end to end: demo data in a real Postgres, the shape service and the gateway
 * in-process, the official client, and a real replica file. Lives under scripts/ because it needs
 * sync/server (the stack) and sync/client (the consumer) together, which neither layer may import.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableDef } from '../../shared/schema/table.js';
import { SYNCED_TABLES, tableByName } from '../../shared/schema/tables.js';
import { openReplica, type Replica } from '../../sync/client/replica/open-replica.js';
import { readShapeState } from '../../sync/client/replica/sync-state.js';
import { ShapeConsumer, type ReplicaChanged } from '../../sync/client/shape-consumer.js';
import type { TableSyncStatus } from '../../sync/client/sync-status.js';
import { asUser, userClaims } from '../../sync/server/db/as-user.js';
import { startGateway, type RunningGateway } from '../../sync/server/gateway/server.js';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { loadDemo } from '../../sync/server/seed/load.js';
import { testConfig, waitFor } from '../../sync/server/shape-service/client-test-support.js';
import { startShapeService, type RunningShapeService } from '../../sync/server/shape-service/service.js';
import { connect, createTestDatabase, type TestDatabase } from '../../sync/server/testing/pg.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { replicaChecksum, serverChecksum, type TableChecksum } from './row-checksum.js';

const SECRET = 'shape-service-secret-for-tests';
const FAST_RETRY = { initialDelay: 50, maxDelay: 300, multiplier: 1.5 };
const EMAIL = 'tech@northwind.test';

let db: TestDatabase;
let sql: pg.Client;
let shapes: RunningShapeService;
let gateway: RunningGateway;
let dir: string;
let tech: { id: string; orgId: string };

beforeAll(async () => {
  db = await createTestDatabase('migrated');
  sql = await connect(db.url);
  const loaded = await loadDemo(sql, { seed: 11, anchor: new Date('2026-06-01T00:00:00Z') });
  if (!loaded.loaded) throw new Error(loaded.reason);
  const user = loaded.users.find((u) => u.email === EMAIL)!;
  const org = await sql.query<{ id: string }>('select id from organizations where slug = $1', [user.org]);
  tech = { id: user.id, orgId: org.rows[0]!.id };
  shapes = await startShapeService(testConfig(db.url, makeTempDir('replica-shapes'), { secret: SECRET }));
  gateway = await startGateway({
    databaseUrl: db.url,
    jwtSecret: new TextEncoder().encode('a-test-jwt-secret-that-is-long-enough-123'),
    upstream: { url: shapes.url, secret: SECRET },
    port: 0,
  });
  dir = makeTempDir('replica-sync');
});

afterAll(async () => {
  await gateway?.stop();
  await shapes?.stop();
  await sql?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function login(email: string): Promise<string> {
  const res = await fetch(`${gateway.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** What the technician sees under RLS, per table. */
async function serverView(tables: readonly TableDef[] = SYNCED_TABLES): Promise<Record<string, TableChecksum>> {
  const client = await connect(db.url);
  try {
    return await asUser(client, userClaims(tech.id, tech.orgId), async (c) => {
      const out: Record<string, TableChecksum> = {};
      for (const t of tables) out[t.name] = await serverChecksum(c, t);
      return out;
    });
  } finally {
    await client.end();
  }
}

const replicaView = (replica: Replica, tables: readonly TableDef[] = SYNCED_TABLES) =>
  Object.fromEntries(tables.map((t) => [t.name, replicaChecksum(replica, t)]));

/** Waits until the replica equals the server for `tables`, then returns the (equal) views. */
async function untilEqual(replica: Replica, tables: readonly TableDef[] = SYNCED_TABLES) {
  let last = { server: {}, replica: {} } as { server: object; replica: object };
  await waitFor(
    async () => {
      last = { server: await serverView(tables), replica: replicaView(replica, tables) };
      return JSON.stringify(last.server) === JSON.stringify(last.replica);
    },
    20_000,
    () => JSON.stringify(last).slice(0, 2000),
  );
  return last;
}

type Session = {
  replica: Replica;
  consumer: ShapeConsumer;
  /** Every request URL, in order. */
  urls: URL[];
  statuses: TableSyncStatus[];
  changed: ReplicaChanged[];
  /** Set to make every request fail as if the network were down. */
  network: { down: boolean };
  close(): void;
};

async function startSession(file: string): Promise<Session> {
  const token = await login(EMAIL);
  const { db: replica } = openReplica(file);
  const urls: URL[] = [];
  const network = { down: false };
  const fetchClient: typeof fetch = async (input, init) => {
    urls.push(new URL(input instanceof Request ? input.url : input.toString()));
    if (network.down) throw new TypeError('fetch failed');
    return fetch(input, init);
  };
  const consumer = new ShapeConsumer({
    db: replica,
    serverUrl: gateway.url,
    getToken: () => token,
    fetchClient,
    retry: FAST_RETRY,
    // Small, so refetches and catch-ups here take the parking path (apply-batch.ts).
    parkThreshold: 50,
  });
  const statuses: TableSyncStatus[] = [];
  const changed: ReplicaChanged[] = [];
  consumer.on('status', (s) => statuses.push(s));
  consumer.on('changed', (c) => changed.push(c));
  consumer.start();
  return {
    replica,
    consumer,
    urls,
    statuses,
    changed,
    network,
    close() {
      consumer.close();
      replica.close();
    },
  };
}

const untilLive = (s: Session) =>
  waitFor(
    () => s.consumer.isLive(),
    30_000,
    () => JSON.stringify(s.consumer.status().filter((t) => t.phase !== 'live')),
  );

const t = (name: string) => tableByName(name)!;

describe('shape consumer against the real stack', () => {
  it('fills a replica equal to what the technician sees, table by table, and follows live changes', async () => {
    const session = await startSession(path.join(dir, 'replica.db'));
    try {
      await untilLive(session);
      const { server } = await untilEqual(session.replica);
      for (const name of ['organizations', 'properties', 'devices', 'tasks', 'task_subtasks'])
        expect((server as Record<string, TableChecksum>)[name]!.rows, name).toBeGreaterThan(0);
      expect(
        session.statuses
          .filter((s) => s.phase === 'live')
          .map((s) => s.table)
          .sort(),
      ).toEqual(SYNCED_TABLES.map((x) => x.name).sort());
      for (const st of session.consumer.status()) {
        expect(st.rows, st.table).toBe((server as Record<string, TableChecksum>)[st.table]!.rows);
        expect(readShapeState(session.replica, st.table)?.offset, st.table).toMatch(/^\d+_(\d+|inf)$/);
      }

      // Live: an update of a few columns (text, array, jsonb), an insert, a delete, and a change in another
      // organization that must never arrive.
      const changedBefore = session.changed.length;
      const org = tech.orgId;
      await sql.query(
        `update tasks set title = 'Replica live test', tags = array['a','b "c"'], due_at = '2026-07-01 10:11:12.345678+00'
         where id = (select id from tasks where organization_id = $1 order by id limit 1)`,
        [org],
      );
      await sql.query(
        `update devices set attributes = '{"z": 1, "a": [true, null, 2.5]}', firmware_version = null
         where id = (select id from devices where organization_id = $1 order by id limit 1)`,
        [org],
      );
      await sql.query(
        `insert into devices (organization_id, property_id, device_type_id, serial_number, status)
         select organization_id, property_id, device_type_id, 'LIVE-0001', 'planned' from devices
         where organization_id = $1 limit 1`,
        [org],
      );
      await sql.query(
        `delete from task_activities where id = (select id from task_activities where organization_id = $1 order by id limit 1)`,
        [org],
      );
      await sql.query(
        `update tasks set title = 'Other org' where id = (select id from tasks where organization_id <> $1 limit 1)`,
        [org],
      );
      await untilEqual(session.replica, [t('tasks'), t('devices'), t('task_activities')]);
      const title = session.replica.prepare(`select count(*) as n from tasks where title = 'Replica live test'`).get();
      expect(title).toEqual({ n: 1 });
      expect(session.replica.prepare(`select count(*) as n from tasks where title = 'Other org'`).get()).toEqual({
        n: 0,
      });
      const newlyChanged = session.changed.slice(changedBefore).flatMap((c) => c.tables);
      expect(new Set(newlyChanged)).toEqual(new Set(['tasks', 'devices', 'task_activities']));
      await untilEqual(session.replica);
    } finally {
      session.close();
    }
  });

  it('resumes from the stored offsets after a restart: no re-download, and the changes made meanwhile arrive', async () => {
    const file = path.join(dir, 'replica.db');
    const before = (() => {
      const { db: r } = openReplica(file);
      try {
        return Object.fromEntries(SYNCED_TABLES.map((x) => [x.name, readShapeState(r, x.name)!]));
      } finally {
        r.close();
      }
    })();
    await sql.query(
      `update properties set access_notes = 'changed while closed'
       where id = (select id from properties where organization_id = $1 order by id limit 1)`,
      [tech.orgId],
    );
    const session = await startSession(file);
    try {
      await untilLive(session);
      for (const x of SYNCED_TABLES) {
        const first = session.urls.find((u) => u.searchParams.get('table') === x.name);
        expect(first?.searchParams.get('offset'), x.name).toBe(before[x.name]!.offset);
        expect(first?.searchParams.get('offset'), x.name).not.toBe('-1');
        expect(first?.searchParams.get('handle'), x.name).toBe(before[x.name]!.handle);
      }
      expect(session.urls.filter((u) => u.searchParams.get('offset') === '-1')).toEqual([]);
      await untilEqual(session.replica);
      expect(
        session.replica
          .prepare(`select count(*) as n from properties where access_notes = 'changed while closed'`)
          .get(),
      ).toEqual({ n: 1 });
    } finally {
      session.close();
    }
  });

  it('goes offline on network errors without a storm of status events, and comes back live', async () => {
    const session = await startSession(path.join(dir, 'replica.db'));
    try {
      await untilLive(session);
      session.network.down = true;
      await waitFor(() => session.consumer.status().every((s) => s.phase === 'offline'), 20_000);
      const offlineEvents = session.statuses.length;
      await new Promise((r) => setTimeout(r, 1_000)); // many retries happen meanwhile
      expect(session.statuses.length).toBe(offlineEvents);
      expect(session.consumer.status()[0]!.lastError).toMatchObject({ message: 'fetch failed' });
      session.network.down = false;
      await untilLive(session);
      await untilEqual(session.replica);
    } finally {
      session.close();
    }
  });

  it('a 409 (shape deleted on the service) refetches the table; readers never see it empty', async () => {
    const session = await startSession(path.join(dir, 'replica.db'));
    try {
      await untilLive(session);
      const count = session.replica.prepare('select count(*) from tasks').pluck();
      let smallest = Infinity;
      let parked = 0;
      const sampler = setInterval(() => {
        smallest = Math.min(smallest, count.get() as number);
        parked = Math.max(parked, session.replica.prepare('select count(*) from sync_pending').pluck().get() as number);
      }, 2);
      const oldHandle = readShapeState(session.replica, 'tasks')!.handle;
      const del = await fetch(`${shapes.url}/v1/shape?table=tasks&secret=${SECRET}`, { method: 'DELETE' });
      expect(del.status).toBe(202);
      await sql.query(
        `update tasks set notes = 'after refetch' where id = (select id from tasks where organization_id = $1 order by id limit 1)`,
        [tech.orgId],
      );
      await waitFor(() => readShapeState(session.replica, 'tasks')!.handle !== oldHandle, 20_000);
      await untilEqual(session.replica);
      clearInterval(sampler);
      expect(smallest).toBeGreaterThan(0);
      // The refetched table is far larger than parkThreshold: it went through sync_pending, then was applied at once.
      expect(parked).toBeGreaterThan(50);
      expect(session.replica.prepare('select count(*) from sync_pending').pluck().get()).toBe(0);
      expect(
        session.urls.some((u) => u.searchParams.get('table') === 'tasks' && u.searchParams.get('offset') === '-1'),
      ).toBe(true);
      const state = readShapeState(session.replica, 'tasks')!;
      expect(state.rowCount).toBe(count.get());
      expect(state.offset).toMatch(/^\d+_(\d+|inf)$/);
    } finally {
      session.close();
    }
  });
});
