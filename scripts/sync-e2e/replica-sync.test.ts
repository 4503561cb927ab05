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
import { GatewaySession } from '../../sync/client/auth/gateway-session.js';
import { ShapeConsumer, type ReplicaChanged, type ShapeConsumerOptions } from '../../sync/client/shape-consumer.js';
import type { TableSyncStatus } from '../../sync/client/sync-status.js';
import { asUser, userClaims } from '../../sync/server/db/as-user.js';
import { startGateway, type RunningGateway } from '../../sync/server/gateway/server.js';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { loadDemo } from '../../sync/server/seed/load.js';
import { testConfig, waitFor } from '../../sync/server/shape-service/client-test-support.js';
import type { ShapeServiceConfig } from '../../sync/server/shape-service/config.js';
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
let shapesConfig: ShapeServiceConfig;
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
  shapesConfig = testConfig(db.url, makeTempDir('replica-shapes'), { secret: SECRET });
  shapes = await startShapeService(shapesConfig);
  shapesConfig = { ...shapesConfig, port: shapes.port };
  gateway = await startTestGateway(0);
  dir = makeTempDir('replica-sync');
});

afterAll(async () => {
  await gateway?.stop();
  await shapes?.stop();
  await sql?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const JWT_SECRET = new TextEncoder().encode('a-test-jwt-secret-that-is-long-enough-123');
const startTestGateway = (port: number, accessTokenTtlSeconds?: number) =>
  startGateway({
    databaseUrl: db.url,
    jwtSecret: JWT_SECRET,
    upstream: { url: shapes.url, secret: SECRET },
    port,
    accessTokenTtlSeconds,
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

type Responses = { url: URL; status: number }[];

async function startSession(
  file: string,
  auth?: Pick<ShapeConsumerOptions, 'getToken' | 'onUnauthorized' | 'serverUrl'>,
  responses: Responses = [],
): Promise<Session> {
  const token = auth ? '' : await login(EMAIL);
  const { db: replica } = openReplica(file);
  const urls: URL[] = [];
  const network = { down: false };
  const fetchClient: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    urls.push(url);
    if (network.down) throw new TypeError('fetch failed');
    const res = await fetch(input, init);
    responses.push({ url, status: res.status });
    return res;
  };
  const consumer = new ShapeConsumer({
    db: replica,
    serverUrl: gateway.url,
    getToken: () => token,
    ...auth,
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
        // The gateway's count for the initial-sync progress matched what arrived (nothing changed meanwhile).
        expect(st.total, st.table).toBe(st.rows);
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

  it('a 409 after TRUNCATE refetches the table and ends equal to the server', async () => {
    const session = await startSession(path.join(dir, 'replica.db'));
    try {
      await untilLive(session);
      const oldHandle = readShapeState(session.replica, 'task_activities')!.handle;
      expect(readShapeState(session.replica, 'task_activities')!.rowCount).toBeGreaterThan(0);
      await sql.query('truncate task_activities');
      await sql.query(
        `insert into task_activities (organization_id, task_id, action, description)
         select organization_id, id, 'comment', 'after truncate' from tasks where organization_id = $1 limit 2`,
        [tech.orgId],
      );
      await waitFor(() => readShapeState(session.replica, 'task_activities')!.handle !== oldHandle, 20_000);
      const { server } = await untilEqual(session.replica, [t('task_activities')]);
      expect((server as Record<string, TableChecksum>).task_activities!.rows).toBe(2);
      expect(readShapeState(session.replica, 'task_activities')!.rowCount).toBe(2);
      await untilEqual(session.replica);
    } finally {
      session.close();
    }
  });

  it('survives a restart of the shape service and of the gateway mid-stream, resuming without a refetch', async () => {
    const session = await startSession(path.join(dir, 'replica.db'));
    try {
      await untilLive(session);
      const handles = Object.fromEntries(
        SYNCED_TABLES.map((x) => [x.name, readShapeState(session.replica, x.name)!.handle]),
      );
      const requestsBefore = session.urls.length;
      // Both stop while every table has a long poll in flight.
      await gateway.stop();
      await shapes.stop();
      await waitFor(() => session.consumer.status().some((s) => s.phase === 'offline'), 20_000);
      await sql.query(
        `update devices set notes = 'while the servers were down'
         where id = (select id from devices where organization_id = $1 order by id limit 1)`,
        [tech.orgId],
      );
      shapes = await startShapeService(shapesConfig);
      gateway = await startTestGateway(gateway.port);
      await untilLive(session);
      await untilEqual(session.replica);
      expect(
        session.replica
          .prepare(`select count(*) from devices where notes = 'while the servers were down'`)
          .pluck()
          .get(),
      ).toBe(1);
      for (const x of SYNCED_TABLES)
        expect(readShapeState(session.replica, x.name)!.handle, x.name).toBe(handles[x.name]);
      expect(session.urls.slice(requestsBefore).filter((u) => u.searchParams.get('offset') === '-1')).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('access tokens expiring during sync are refreshed on 401 and the stream keeps its position', async () => {
    const shortLived = await startTestGateway(0, 1);
    const gatewaySession = await GatewaySession.login(shortLived.url, EMAIL, DEMO_PASSWORD);
    const responses: Responses = [];
    // Hand out the current token without refreshing it ahead of time, so requests meet expiry.
    const session = await startSession(
      path.join(dir, 'short-tokens.db'),
      {
        serverUrl: shortLived.url,
        getToken: () => gatewaySession.tokens.accessToken,
        onUnauthorized: (stale) => gatewaySession.refreshAfterUnauthorized(stale),
      },
      responses,
    );
    try {
      await untilLive(session);
      // Tokens live 1 s (+5 s clock tolerance at the gateway): a live request soon meets an expired one.
      await waitFor(
        () => responses.some((r) => r.status === 401 && r.url.searchParams.get('offset') !== '-1'),
        30_000,
        () => JSON.stringify(responses.map((r) => `${r.status} ${r.url.searchParams.get('table')}`).slice(-40)),
      );
      await sql.query(
        `update tasks set title = 'after token expiry'
         where id = (select id from tasks where organization_id = $1 order by id limit 1)`,
        [tech.orgId],
      );
      await untilEqual(session.replica);
      for (const [i, r] of responses.entries()) {
        if (r.status !== 401) continue;
        const retry = responses
          .slice(i + 1)
          .find((n) => n.url.searchParams.get('table') === r.url.searchParams.get('table'));
        if (!retry) continue;
        // The retry asks for the same position: nothing skipped, nothing re-read.
        expect(retry.url.searchParams.get('offset')).toBe(r.url.searchParams.get('offset'));
        expect(retry.url.searchParams.get('handle')).toBe(r.url.searchParams.get('handle'));
      }
      for (const x of SYNCED_TABLES)
        expect(
          responses.filter(
            (r) => r.url.searchParams.get('table') === x.name && r.url.searchParams.get('offset') === '-1',
          ),
          x.name,
        ).toHaveLength(1);
      expect(session.consumer.status().every((s) => s.lastError === null)).toBe(true);
    } finally {
      session.close();
      await shortLived.stop();
    }
  });
});
