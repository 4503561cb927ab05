/**
 * POST /v1/mutations end to end: a real gateway over HTTP on a real, demo-seeded Postgres, writes
 * under RLS as the signed-in user. Every test arranges its own rows (as the operator) so the tests
 * stay independent; "nothing written" is checked on the rows themselves (row_version, counts).
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import { isChangeMessage, ShapeStream, type ChangeMessage, type Row } from '@electric-sql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_MUTATIONS_BODY_BYTES,
  MAX_MUTATIONS_PER_REQUEST,
  type Mutation,
  type MutationResult,
} from '../../../../shared/sync/mutations.js';
import { asUser, userClaims } from '../../db/as-user.js';
import { DEMO_PASSWORD } from '../../seed/demo-data.js';
import { loadDemo } from '../../seed/load.js';
import { testConfig, waitFor } from '../../shape-service/client-test-support.js';
import { startShapeService, type RunningShapeService } from '../../shape-service/service.js';
import { connect, createTestDatabase, type TestDatabase } from '../../testing/pg.js';
import { makeTempDir } from '../../testing/temp-dir.js';
import { startGateway, type RunningGateway } from '../server.js';
import { processMutations } from './apply.js';

let db: TestDatabase;
let sql: pg.Client;
let gateway: RunningGateway;
let shapes: RunningShapeService;
const SHAPE_SECRET = 'mutations-test-shape-secret';
const orgs: Record<string, string> = {};
const users: Record<string, string> = {};
const tokens: Record<string, string> = {};
/** One property, device type and device of each organization, for new rows to hang off. */
const fixtures: Record<string, { property: string; deviceType: string; deviceSerial: string }> = {};
const CLIENT_ID = crypto.randomUUID();

const uuid = () => crypto.randomUUID();

beforeAll(async () => {
  db = await createTestDatabase('migrated');
  sql = await connect(db.url);
  const loaded = await loadDemo(sql, { seed: 5, anchor: new Date('2026-06-01T00:00:00Z') });
  if (!loaded.loaded) throw new Error(loaded.reason);
  for (const u of loaded.users) users[u.email] = u.id;
  for (const r of (await sql.query<{ id: string; slug: string }>('select id, slug from organizations')).rows)
    orgs[r.slug] = r.id;
  for (const slug of ['northwind', 'contoso']) {
    const { rows } = await sql.query(
      `select d.property_id, d.device_type_id, d.serial_number from devices d
       where d.organization_id = $1 and d.deleted_at is null order by d.id limit 1`,
      [orgs[slug]],
    );
    fixtures[slug] = {
      property: rows[0].property_id,
      deviceType: rows[0].device_type_id,
      deviceSerial: rows[0].serial_number,
    };
  }
  shapes = await startShapeService(testConfig(db.url, makeTempDir('gw-mutations'), { secret: SHAPE_SECRET }));
  gateway = await startGateway({
    databaseUrl: db.url,
    jwtSecret: new TextEncoder().encode('mutations-test-jwt-secret-long-enough-0123456'),
    upstream: { url: shapes.url, secret: SHAPE_SECRET },
    port: 0,
    log: (msg) => console.error(msg),
  });
  for (const email of [
    'tech@northwind.test',
    'dispatch@northwind.test',
    'admin@northwind.test',
    'tech@contoso.test',
    'admin@contoso.test',
  ]) {
    tokens[email] = await login(email);
  }
});

afterAll(async () => {
  await gateway?.stop();
  await shapes?.stop();
  await sql?.end();
  await db?.drop();
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

type Who = 'tech' | 'dispatch' | 'admin' | 'contosoTech' | 'contosoAdmin';
const EMAIL: Record<Who, string> = {
  tech: 'tech@northwind.test',
  dispatch: 'dispatch@northwind.test',
  admin: 'admin@northwind.test',
  contosoTech: 'tech@contoso.test',
  contosoAdmin: 'admin@contoso.test',
};

async function post(
  who: Who | null,
  body: unknown,
  init: { raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: { results?: MutationResult[]; error?: { code: string; message: string } } }> {
  const res = await fetch(`${gateway.url}/v1/mutations`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(who ? { authorization: `Bearer ${tokens[EMAIL[who]]}` } : {}),
      ...init.headers,
    },
    body: init.raw ?? JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/** Sends mutations and returns their results (the request must succeed). */
async function mutate(who: Who, mutations: Mutation[]): Promise<MutationResult[]> {
  const res = await post(who, { client_id: CLIENT_ID, mutations });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.results).toHaveLength(mutations.length);
  return res.body.results!;
}
const mutate1 = async (who: Who, m: Mutation) => (await mutate(who, [m]))[0]!;

const insert = (table: string, values: Record<string, unknown>, extra: Partial<Mutation> = {}): Mutation => {
  const id = (values.id as string | undefined) ?? uuid();
  const { id: _drop, ...rest } = values;
  return { id: uuid(), table, op: 'insert', pk: { id }, values: rest, ...extra };
};
const update = (
  table: string,
  id: string,
  values: Record<string, unknown>,
  base: Record<string, unknown>,
  version = 1,
  extra: Partial<Mutation> = {},
): Mutation => ({ id: uuid(), table, op: 'update', pk: { id }, values, base: { values: base, version }, ...extra });
const del = (table: string, id: string, base: Record<string, unknown> = {}, version = 1): Mutation => ({
  id: uuid(),
  table,
  op: 'delete',
  pk: { id },
  base: { values: base, version },
});

/** The row as the operator sees it, with xmin (the transaction, or subtransaction, that last wrote it). */
async function row(table: string, id: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await sql.query(`select *, xmin::text as xmin from ${table} where id = $1`, [id]);
  return rows[0] as Record<string, unknown> | undefined;
}

/** A fresh Northwind (or Contoso) task, made by the operator (row_version 1). */
async function freshTask(slug = 'northwind', values: Record<string, unknown> = {}): Promise<string> {
  const id = uuid();
  await sql.query(
    `insert into tasks (id, organization_id, property_id, title, status, notes, tags, due_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      orgs[slug],
      fixtures[slug]!.property,
      values.title ?? 'Replace door contact',
      values.status ?? 'scheduled',
      values.notes ?? 'original notes',
      values.tags ?? ['a', 'b'],
      values.due_at ?? '2026-06-02T08:00:00Z',
    ],
  );
  return id;
}

async function freshSubtask(taskId: string, isCompleted = false): Promise<string> {
  const id = uuid();
  await sql.query(
    `insert into task_subtasks (id, organization_id, task_id, title, is_completed) values ($1, $2, $3, 'Test the siren', $4)`,
    [id, orgs.northwind, taskId, isCompleted],
  );
  return id;
}

async function freshDevice(slug = 'northwind'): Promise<string> {
  const id = uuid();
  await sql.query(
    `insert into devices (id, organization_id, property_id, device_type_id, serial_number) values ($1, $2, $3, $4, $5)`,
    [id, orgs[slug], fixtures[slug]!.property, fixtures[slug]!.deviceType, `SN-${id.slice(0, 12)}`],
  );
  return id;
}

const count = async (query: string, params: unknown[] = []) =>
  Number((await sql.query<{ n: string }>(`select count(*) as n from (${query}) x`, params)).rows[0]!.n);

const processedCount = () => count('select 1 from app.processed_mutations');

type Processed = { id: string; status: string; result: MutationResult };
/** The stored decisions of these mutation ids, by id. */
async function processedResults(...ids: string[]): Promise<Map<string, Processed>> {
  const { rows } = await sql.query<Processed>(
    'select id::text, status, result from app.processed_mutations where id = any($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** A promise and the function that resolves it (Promise.withResolvers is newer than Node 20). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('applying', () => {
  it('applies an insert, an update and a delete, each with the txid the shape stream reports for it', async () => {
    // The official client, through the gateway, as the app watches for its own writes.
    const stream = new ShapeStream({
      url: `${gateway.url}/v1/shape`,
      params: { table: 'devices', where: "serial_number like 'CAM-NEW-%'" },
      headers: { authorization: `Bearer ${tokens['tech@northwind.test']}` },
    });
    const changes: ChangeMessage<Row>[] = [];
    let upToDate = false;
    const unsubscribe = stream.subscribe((batch) => {
      for (const msg of batch) {
        if (isChangeMessage(msg)) changes.push(msg);
        else if (msg.headers.control === 'up-to-date') upToDate = true;
      }
    });
    try {
      await waitFor(() => upToDate);
      const txidsOf = (id: string, op: string) =>
        waitFor(() => changes.find((c) => c.value.id === id && c.headers.operation === op)?.headers.txids);

      const deviceId = uuid();
      const ins = await mutate1(
        'tech',
        insert('devices', {
          id: deviceId,
          property_id: fixtures.northwind!.property,
          device_type_id: fixtures.northwind!.deviceType,
          serial_number: 'CAM-NEW-0001',
          ip_address: '10.0.0.7',
          mac_address: '00:11:22:33:44:55',
          install_date: '2026-06-01',
          attributes: { lens: '2.8mm' },
        }),
      );
      expect(ins).toEqual({ id: ins.id, status: 'applied', txid: expect.any(Number) });
      expect(await row('devices', deviceId)).toMatchObject({
        organization_id: orgs.northwind,
        serial_number: 'CAM-NEW-0001',
        row_version: '1',
      });
      expect(await txidsOf(deviceId, 'insert')).toEqual([ins.txid]);

      const upd = await mutate1(
        'tech',
        update('devices', deviceId, { label: 'Lobby camera', status: 'active' }, { label: null, status: 'installed' }),
      );
      expect(upd).toMatchObject({ status: 'applied', txid: expect.any(Number) });
      expect(await row('devices', deviceId)).toMatchObject({
        label: 'Lobby camera',
        status: 'active',
        row_version: '2',
      });
      expect(await txidsOf(deviceId, 'update')).toEqual([upd.txid]);

      // devices keep history: a delete sets deleted_at, which the stream delivers as an update.
      const gone = await mutate1('dispatch', del('devices', deviceId, { label: 'Lobby camera' }, 2));
      expect(gone).toMatchObject({ status: 'applied', txid: expect.any(Number) });
      expect((await row('devices', deviceId))!.deleted_at).toBeInstanceOf(Date);
      await waitFor(() =>
        changes.some((c) => c.value.id === deviceId && c.value.deleted_at && c.headers.txids?.[0] === gone.txid),
      );
    } finally {
      unsubscribe();
    }

    // task_devices has no deleted_at: a delete removes the row.
    const taskId = await freshTask();
    const link = uuid();
    await sql.query(
      `insert into task_devices (id, organization_id, task_id, device_id) values ($1, $2, $3, (select id from devices where organization_id = $2 and deleted_at is null limit 1))`,
      [link, orgs.northwind, taskId],
    );
    const hard = await mutate1('dispatch', del('task_devices', link, { action: 'install' }));
    expect(hard).toMatchObject({ status: 'applied', txid: expect.any(Number) });
    expect(await row('task_devices', link)).toBeUndefined();
  });

  it('sets organization_id and created_by on an insert that leaves them out', async () => {
    const m = insert('tasks', { property_id: fixtures.northwind!.property, title: 'Survey the loading dock' });
    expect(await mutate1('dispatch', m)).toMatchObject({ status: 'applied' });
    expect(await row('tasks', m.pk.id as string)).toMatchObject({
      organization_id: orgs.northwind,
      created_by: users['dispatch@northwind.test'],
      status: 'open',
      tags: [],
    });
  });

  it('compares values in one form: an ISO timestamp equals the same instant in Postgres text', async () => {
    const id = await freshTask('northwind', { due_at: '2026-06-02T08:00:00Z' });
    // Base in the replica's ISO form, the server holds the same instant: nothing changed on the server.
    const res = await mutate1(
      'tech',
      update('tasks', id, { due_at: '2026-06-03T09:30:00.000000Z' }, { due_at: '2026-06-02T08:00:00.000000Z' }),
    );
    expect(res).toMatchObject({ status: 'applied', txid: expect.any(Number) });
    expect((await row('tasks', id))!.due_at).toEqual(new Date('2026-06-03T09:30:00Z'));
    // Setting the value the server already has writes nothing.
    const same = await mutate1(
      'tech',
      update('tasks', id, { due_at: '2026-06-03 09:30:00+00' }, { due_at: '2026-06-02T08:00:00Z' }, 2),
    );
    expect(same).toEqual({ id: same.id, status: 'applied' });
    expect((await row('tasks', id))!.row_version).toBe('2');
  });
});

describe('idempotency', () => {
  it('a replayed mutation returns the stored result and writes nothing', async () => {
    const id = await freshTask();
    const m = update('tasks', id, { notes: 'first upload' }, { notes: 'original notes' });
    const first = await mutate1('tech', m);
    expect(first).toMatchObject({ status: 'applied', txid: expect.any(Number) });
    const before = await row('tasks', id);
    const stored = await processedCount();

    const again = await mutate(
      'tech',
      [m, m].map((x, i) => (i ? { ...x, id: uuid() } : x)),
    );
    expect(again[0]).toEqual(first);
    // The second copy has a new id, so it is a new edit: mine == server now, nothing to do.
    expect(again[1]).toEqual({ id: again[1]!.id, status: 'applied' });
    const after = await row('tasks', id);
    expect(after!.row_version).toBe(before!.row_version);
    expect(after!.xmin).toBe(before!.xmin);
    expect(await processedCount()).toBe(stored + 1);

    // A replayed insert is not "already exists": it is the same answer.
    const ins = insert('task_subtasks', { task_id: id, title: 'Label the cables' });
    const r1 = await mutate1('dispatch', ins);
    const r2 = await mutate1('dispatch', ins);
    expect(r2).toEqual(r1);
    expect(r1.status).toBe('applied');
  });

  it('a rejection is stored too, and replays as the same rejection', async () => {
    const m = insert('properties', {
      account_id: uuid(),
      name: 'x',
      address_line1: 'x',
      city: 'x',
      region: 'x',
      postal_code: 'x',
    });
    const first = await mutate1('tech', m);
    expect(first).toMatchObject({ status: 'rejected', reason: { code: 'forbidden' } });
    expect(await mutate1('tech', m)).toEqual(first);
  });

  it('the same id with a different payload, or from another user, is id_reused and changes nothing', async () => {
    const id = await freshTask();
    const m = update('tasks', id, { notes: 'v1' }, { notes: 'original notes' });
    expect((await mutate1('tech', m)).status).toBe('applied');
    const before = await row('tasks', id);

    const changed = await mutate1('tech', { ...m, values: { notes: 'v2' } });
    expect(changed).toMatchObject({ id: m.id, status: 'rejected', reason: { code: 'id_reused' } });
    // Another organization's user, who cannot see the stored row.
    const other = await mutate1('contosoTech', m);
    expect(other).toMatchObject({ status: 'rejected', reason: { code: 'id_reused' } });
    // Another member of the same organization, who can (an admin) or cannot (a technician) see it.
    expect(await mutate1('admin', m)).toMatchObject({ status: 'rejected', reason: { code: 'id_reused' } });
    expect((await row('tasks', id))!.row_version).toBe(before!.row_version);
    expect((await row('tasks', id))!.notes).toBe('v1');
    // The original still replays.
    expect((await mutate1('tech', m)).status).toBe('applied');
  });
});

describe('conflicts', () => {
  it('merges edits of different columns', async () => {
    const id = await freshTask();
    expect(
      (await mutate1('dispatch', update('tasks', id, { priority: 'urgent' }, { priority: 'normal' }))).status,
    ).toBe('applied');
    const res = await mutate1('tech', update('tasks', id, { notes: 'cable run done' }, { notes: 'original notes' }));
    expect(res).toMatchObject({ status: 'applied', txid: expect.any(Number) });
    expect(res.conflicts).toBeUndefined();
    expect(await row('tasks', id)).toMatchObject({ priority: 'urgent', notes: 'cable run done', row_version: '3' });
  });

  it('leaves a column changed on both sides as the server has it, reports it and records it', async () => {
    const id = await freshTask();
    await mutate1('dispatch', update('tasks', id, { notes: 'from dispatch' }, { notes: 'original notes' }));
    const m = update(
      'tasks',
      id,
      { notes: 'from the field', estimated_minutes: 90 },
      { notes: 'original notes', estimated_minutes: null },
    );
    const res = await mutate1('tech', m);
    expect(res).toMatchObject({
      status: 'conflict',
      txid: expect.any(Number), // estimated_minutes applied
      conflicts: [
        {
          column: 'notes',
          base: 'original notes',
          server: 'from dispatch',
          mine: 'from the field',
          resolution: 'manual',
          result: 'from dispatch',
        },
      ],
      reason: { code: 'conflict' },
    });
    expect(await row('tasks', id)).toMatchObject({ notes: 'from dispatch', estimated_minutes: 90 });
    const { rows } = await sql.query('select * from app.mutation_conflicts where mutation_id = $1', [m.id]);
    expect(rows).toEqual([
      expect.objectContaining({
        table_name: 'tasks',
        pk: { id },
        column_name: 'notes',
        base: 'original notes',
        server: 'from dispatch',
        mine: 'from the field',
        result: 'from dispatch',
        resolution: 'manual',
        rule: null,
        user_id: users['tech@northwind.test'],
        organization_id: orgs.northwind,
      }),
    ]);

    // A conflict on every column writes nothing: no txid.
    const only = await mutate1('tech', update('tasks', id, { notes: 'again' }, { notes: 'original notes' }));
    expect(only).toMatchObject({ status: 'conflict' });
    expect(only.txid).toBeUndefined();
  });

  it('dispatch-status-wins: the server status stays and the technician is told', async () => {
    const id = await freshTask('northwind', { status: 'scheduled' });
    await mutate1('dispatch', update('tasks', id, { status: 'cancelled' }, { status: 'scheduled' }));
    const m = update('tasks', id, { status: 'in_progress' }, { status: 'scheduled' });
    const res = await mutate1('tech', m);
    expect(res).toMatchObject({
      status: 'applied',
      conflicts: [
        {
          column: 'status',
          base: 'scheduled',
          server: 'cancelled',
          mine: 'in_progress',
          resolution: 'server',
          result: 'cancelled',
          rule: 'dispatch-status-wins',
        },
      ],
    });
    expect(res.txid).toBeUndefined();
    expect((await row('tasks', id))!.status).toBe('cancelled');
    expect(
      await count(`select 1 from app.mutation_conflicts where mutation_id = $1 and rule = 'dispatch-status-wins'`, [
        m.id,
      ]),
    ).toBe(1);
  });

  it('dispatch-status-wins: the dispatcher’s status wins even when the technician’s reached the server first', async () => {
    const id = await freshTask('northwind', { status: 'scheduled' });
    await mutate1('tech', update('tasks', id, { status: 'in_progress' }, { status: 'scheduled' }));
    const m = update('tasks', id, { status: 'cancelled' }, { status: 'scheduled' });
    const res = await mutate1('dispatch', m);
    expect(res).toMatchObject({
      status: 'applied',
      txid: expect.any(Number),
      conflicts: [
        {
          column: 'status',
          server: 'in_progress',
          mine: 'cancelled',
          resolution: 'client',
          result: 'cancelled',
          rule: 'dispatch-status-wins',
        },
      ],
    });
    expect((await row('tasks', id))!.status).toBe('cancelled');
  });

  it('completed-stays-completed: a completed checklist item stays completed', async () => {
    const task = await freshTask();
    const sub = await freshSubtask(task, true);
    await mutate1('dispatch', update('task_subtasks', sub, { is_completed: false }, { is_completed: true }));
    const res = await mutate1('tech', update('task_subtasks', sub, { is_completed: true }, { is_completed: true }));
    // mine (true) differs from the server (false), which differs from the base (true): the rule decides.
    expect(res).toMatchObject({
      status: 'applied',
      txid: expect.any(Number),
      conflicts: [
        {
          column: 'is_completed',
          base: true,
          server: false,
          mine: true,
          resolution: 'merged',
          result: true,
          rule: 'completed-stays-completed',
        },
      ],
    });
    expect((await row('task_subtasks', sub))!.is_completed).toBe(true);
  });

  it('tags-merge: tags added on either side are kept, removed on either side are removed', async () => {
    const id = await freshTask('northwind', { tags: ['a', 'b'] });
    await mutate1('dispatch', update('tasks', id, { tags: ['a', 'b', 'c'] }, { tags: ['a', 'b'] }));
    const res = await mutate1('tech', update('tasks', id, { tags: ['a', 'd'] }, { tags: ['a', 'b'] }));
    expect(res).toMatchObject({
      status: 'applied',
      txid: expect.any(Number),
      conflicts: [
        {
          column: 'tags',
          base: ['a', 'b'],
          server: ['a', 'b', 'c'],
          mine: ['a', 'd'],
          resolution: 'merged',
          result: ['a', 'c', 'd'],
          rule: 'tags-merge',
        },
      ],
    });
    expect((await row('tasks', id))!.tags).toEqual(['a', 'c', 'd']);
  });

  it('reports timestamps in the form the shape stream delivers them', async () => {
    const id = await freshTask('northwind', { due_at: '2026-06-02T08:00:00Z' });
    await mutate1(
      'dispatch',
      update('tasks', id, { due_at: '2026-06-05T10:00:00Z' }, { due_at: '2026-06-02T08:00:00Z' }),
    );
    const res = await mutate1(
      'tech',
      update('tasks', id, { due_at: '2026-06-04T07:15:00.5Z' }, { due_at: '2026-06-02T08:00:00.000000Z' }),
    );
    expect(res.conflicts).toEqual([
      expect.objectContaining({
        base: '2026-06-02 08:00:00+00',
        server: '2026-06-05 10:00:00+00',
        mine: '2026-06-04 07:15:00.5+00',
        resolution: 'manual',
      }),
    ]);
  });

  it('a delete of a row changed on the server after the delete was made is a conflict, and nothing is deleted', async () => {
    const id = await freshTask();
    await mutate1('dispatch', update('tasks', id, { notes: 'rescheduled by dispatch' }, { notes: 'original notes' }));
    const res = await mutate1(
      'admin',
      del('tasks', id, { title: 'Replace door contact', notes: 'original notes', status: 'scheduled' }, 1),
    );
    expect(res).toMatchObject({
      status: 'conflict',
      conflicts: [
        {
          column: 'notes',
          base: 'original notes',
          server: 'rescheduled by dispatch',
          mine: null,
          resolution: 'manual',
        },
      ],
      reason: { code: 'conflict' },
    });
    expect(res.txid).toBeUndefined();
    expect((await row('tasks', id))!.deleted_at).toBeNull();

    // The server's own bookkeeping (updated_at, row_version) in the base is not a change by anyone.
    const touched = await freshTask();
    await sql.query(`update tasks set notes = notes where id = $1`, [touched]);
    const full = (await sql.query(`select to_jsonb(t) as r from tasks t where id = $1`, [touched])).rows[0].r;
    expect(full.row_version).toBe(2);
    const baseRow = { ...full, row_version: 1, updated_at: '2020-01-01T00:00:00Z' };
    delete baseRow.access_codes;
    expect((await mutate1('admin', del('tasks', touched, baseRow, 1))).status).toBe('applied');
    // Without base values any later version is a conflict.
    expect((await mutate1('admin', del('tasks', id, {}, 1))).status).toBe('conflict');
    // Made on the current version, the delete applies; once more, there is nothing left to delete.
    expect((await mutate1('admin', del('tasks', id, { notes: 'original notes' }, 2))).status).toBe('applied');
    expect((await row('tasks', id))!.deleted_at).toBeInstanceOf(Date);
    const again = await mutate1('admin', del('tasks', id, {}, 2));
    expect(again).toMatchObject({ status: 'applied', reason: { code: 'not_found' } });
    expect(again.txid).toBeUndefined();
    // An update of a row deleted on the server is rejected.
    expect(
      await mutate1('tech', update('tasks', id, { notes: 'late edit' }, { notes: 'original notes' }, 2)),
    ).toMatchObject({ status: 'rejected', reason: { code: 'not_found' } });
  });
});

describe('rejections', () => {
  it('a serial number already recorded is a constraint rejection naming the column', async () => {
    const before = await count('select 1 from devices where organization_id = $1', [orgs.northwind]);
    const res = await mutate1(
      'tech',
      insert('devices', {
        property_id: fixtures.northwind!.property,
        device_type_id: fixtures.northwind!.deviceType,
        serial_number: fixtures.northwind!.deviceSerial.toLowerCase(),
      }),
    );
    expect(res).toMatchObject({ status: 'rejected', reason: { code: 'constraint' } });
    expect(res.reason!.message).toContain('serial_number');
    expect(res.txid).toBeUndefined();
    expect(await count('select 1 from devices where organization_id = $1', [orgs.northwind])).toBe(before);
    // The same serial in another organization is fine.
    const contoso = await mutate1(
      'contosoTech',
      insert('devices', {
        property_id: fixtures.contoso!.property,
        device_type_id: fixtures.contoso!.deviceType,
        serial_number: fixtures.northwind!.deviceSerial,
      }),
    );
    expect(contoso.status).toBe('applied');
  });

  it('an existing primary key is already_exists; a missing parent is a constraint', async () => {
    const id = await freshTask();
    expect(
      await mutate1('dispatch', insert('tasks', { id, property_id: fixtures.northwind!.property, title: 'dup' })),
    ).toMatchObject({ status: 'rejected', reason: { code: 'already_exists' } });
    const orphan = await mutate1('dispatch', insert('task_subtasks', { task_id: uuid(), title: 'orphan' }));
    expect(orphan).toMatchObject({ status: 'rejected', reason: { code: 'constraint' } });
    expect(orphan.reason!.message).toContain('task_id');
  });

  it("refuses writes the caller's role may not make, writing nothing", async () => {
    const properties = await count('select 1 from properties');
    const res = await mutate1(
      'tech',
      insert('properties', {
        account_id: uuid(),
        name: 'Warehouse',
        address_line1: '1 Main St',
        city: 'Springfield',
        region: 'IL',
        postal_code: '62701',
      }),
    );
    expect(res).toMatchObject({ status: 'rejected', reason: { code: 'forbidden' } });
    expect(res.reason!.message).toMatch(/technician/);
    expect(await count('select 1 from properties')).toBe(properties);

    // Technicians may edit devices but not delete them, and so not soft-delete them through an update.
    const device = await freshDevice();
    expect(await mutate1('tech', del('devices', device))).toMatchObject({ reason: { code: 'forbidden' } });
    expect(
      await mutate1('tech', update('devices', device, { deleted_at: '2026-06-01T00:00:00Z' }, { deleted_at: null })),
    ).toMatchObject({ reason: { code: 'forbidden' } });
    // Append-only history.
    const act = uuid();
    await sql.query(
      `insert into task_activities (id, organization_id, task_id, action) values ($1, $2, $3, 'comment')`,
      [act, orgs.northwind, await freshTask()],
    );
    expect(
      await mutate1('dispatch', update('task_activities', act, { description: 'x' }, { description: null })),
    ).toMatchObject({ reason: { code: 'forbidden' } });
    expect(await row('devices', device)).toMatchObject({ row_version: '1', deleted_at: null });
  });

  it('RLS itself refuses a write when the gateway believed a wrong role', async () => {
    // processMutations with a forged role, as the gateway would run it: RLS is the last word.
    const techId = users['tech@northwind.test']!;
    const m = insert('device_types', { category: 'camera', manufacturer: 'Acme', model: 'X1', name: 'Acme X1' });
    const [res] = await processMutations(
      sql,
      { userId: techId, organizationId: orgs.northwind!, role: 'dispatcher', clientId: CLIENT_ID },
      [m],
    );
    expect(res).toMatchObject({ status: 'rejected', reason: { code: 'forbidden' } });
    expect(await row('device_types', m.pk.id as string)).toBeUndefined();

    // Technicians may update task_devices (so FOR UPDATE locks the row) but not delete them.
    const link = uuid();
    await sql.query(`insert into task_devices (id, organization_id, task_id, device_id) values ($1, $2, $3, $4)`, [
      link,
      orgs.northwind,
      await freshTask(),
      await freshDevice(),
    ]);
    const [gone] = await processMutations(
      sql,
      { userId: techId, organizationId: orgs.northwind!, role: 'admin', clientId: CLIENT_ID },
      [del('task_devices', link, { action: 'install' })],
    );
    expect(gone).toMatchObject({ status: 'rejected', reason: { code: 'forbidden' } });
    expect(await row('task_devices', link)).toBeDefined();
  });

  it("never writes into another organization: forged organization_id, another organization's rows", async () => {
    const m = insert('tasks', {
      organization_id: orgs.contoso,
      property_id: fixtures.contoso!.property,
      title: 'Planted task',
    });
    expect(await mutate1('admin', m)).toMatchObject({ status: 'rejected', reason: { code: 'forbidden' } });
    expect(await row('tasks', m.pk.id as string)).toBeUndefined();

    // Their property id under my organization: the composite foreign key refuses it.
    const cross = await mutate1('admin', insert('tasks', { property_id: fixtures.contoso!.property, title: 'x' }));
    expect(cross).toMatchObject({ status: 'rejected', reason: { code: 'constraint' } });

    const theirs = await freshTask('contoso');
    const before = await row('tasks', theirs);
    expect(
      await mutate1('admin', update('tasks', theirs, { notes: 'hijacked' }, { notes: 'original notes' })),
    ).toMatchObject({ status: 'rejected', reason: { code: 'not_found' } });
    const gone = await mutate1('admin', del('tasks', theirs, { notes: 'original notes' }));
    expect(gone).toMatchObject({ status: 'applied', reason: { code: 'not_found' } });
    expect(gone.txid).toBeUndefined();
    expect(await row('tasks', theirs)).toEqual(before);
  });

  it('refuses server-owned columns', async () => {
    const id = await freshTask();
    for (const values of [
      { row_version: 9 },
      { organization_id: orgs.contoso },
      { created_by: users['tech@northwind.test'] },
      { created_at: '2020-01-01T00:00:00Z' },
      { updated_at: '2020-01-01T00:00:00Z' },
      { id: uuid() },
    ]) {
      const res = await mutate1(
        'admin',
        update('tasks', id, values, Object.fromEntries(Object.keys(values).map((k) => [k, null]))),
      );
      expect(res, JSON.stringify(values)).toMatchObject({ status: 'rejected', reason: { code: 'server_owned' } });
    }
    expect(
      await mutate1(
        'dispatch',
        insert('tasks', { property_id: fixtures.northwind!.property, title: 't', row_version: 5 }),
      ),
    ).toMatchObject({ reason: { code: 'server_owned' } });
    expect(
      await mutate1(
        'dispatch',
        insert('tasks', {
          property_id: fixtures.northwind!.property,
          title: 't',
          created_by: users['admin@northwind.test'],
        }),
      ),
    ).toMatchObject({ reason: { code: 'forbidden' } });
    expect((await row('tasks', id))!.row_version).toBe('1');
  });

  it('explains values that do not fit their columns', async () => {
    const id = await freshTask();
    const reason = async (values: Record<string, unknown>, table = 'tasks') =>
      (
        await mutate1(
          'dispatch',
          update(
            table,
            table === 'tasks' ? id : await freshDevice(),
            values,
            Object.fromEntries(Object.keys(values).map((k) => [k, null])),
          ),
        )
      ).reason;
    expect(await reason({ estimated_minutes: 'ninety' })).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('tasks.estimated_minutes'),
    });
    expect(await reason({ status: 'finished' })).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('open, scheduled'),
    });
    expect(await reason({ due_at: 'tomorrow' })).toMatchObject({ code: 'invalid' });
    expect(await reason({ title: null })).toMatchObject({ code: 'invalid', message: expect.stringContaining('title') });
    expect(await reason({ estimated_minutes: -5 })).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('estimated_minutes'),
    });
    expect(await reason({ nonsense: 1 })).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('no column'),
    });
    expect(await reason({ ip_address: 'not-an-ip' }, 'devices')).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('devices.ip_address'),
    });
    expect(await reason({ admin_credentials: 'hunter2' }, 'devices')).toMatchObject({ code: 'invalid' });
    expect((await mutate1('dispatch', { ...insert('schema_migrations', { x: 1 }) })).reason).toMatchObject({
      code: 'invalid',
    });
    expect((await mutate1('dispatch', insert('tasks', { title: 'no property' }))).reason).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('property_id'),
    });
    expect((await mutate1('dispatch', { ...update('tasks', id, { notes: 'x' }, {}) })).reason).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('base'),
    });
    expect((await row('tasks', id))!.row_version).toBe('1');
  });
});

describe('transactions and dependencies', () => {
  it('applies a tx group in one transaction, or none of it', async () => {
    const tx = uuid();
    const task = insert('tasks', { property_id: fixtures.northwind!.property, title: 'Install NVR' }, { tx });
    const taskId = task.pk.id as string;
    const s1 = insert('task_subtasks', { task_id: taskId, title: 'Mount rack' }, { tx });
    const s2 = insert('task_subtasks', { task_id: taskId, title: 'Wire cameras', position: 2 }, { tx });
    const ok = await mutate('dispatch', [task, s1, s2]);
    expect(ok.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect(new Set(ok.map((r) => r.txid)).size).toBe(1);
    expect(await count('select 1 from task_subtasks where task_id = $1', [taskId])).toBe(2);

    const tx2 = uuid();
    const bad = [
      insert('tasks', { property_id: fixtures.northwind!.property, title: 'Install keypad' }, { tx: tx2 }),
      insert('task_subtasks', { task_id: uuid(), title: 'Wrong parent' }, { tx: tx2 }), // FK violation
      insert('task_subtasks', { task_id: taskId, title: 'Fine on its own' }, { tx: tx2 }),
    ];
    const edit = update('tasks', taskId, { notes: 'after' }, { notes: null });
    const after = await mutate('dispatch', [...bad, edit]);
    expect(after[1]).toMatchObject({ status: 'rejected', reason: { code: 'constraint' } });
    for (const i of [0, 2]) {
      expect(after[i]).toMatchObject({ status: 'rejected', reason: { code: 'dependency_rejected' } });
      expect(after[i]!.reason!.message).toContain(bad[1]!.id);
    }
    // A rejected group does not block the rest of the request.
    expect(after[3]).toMatchObject({ status: 'applied', txid: expect.any(Number) });
    expect(await row('tasks', bad[0]!.pk.id as string)).toBeUndefined();
    expect(await count('select 1 from task_subtasks where task_id = $1', [taskId])).toBe(2);
    // Replaying the whole request gives the same answers.
    expect(await mutate('dispatch', [...bad, edit])).toEqual(after);
  });

  it('a mutation that refers to a row whose insert was rejected in the same request says which', async () => {
    const task = insert('tasks', { property_id: fixtures.northwind!.property, title: '   ' }); // blank title: CHECK
    const sub = insert('task_subtasks', { task_id: task.pk.id, title: 'child' });
    const edit = update('tasks', task.pk.id as string, { notes: 'x' }, { notes: null });
    const res = await mutate('dispatch', [task, sub, edit]);
    expect(res[0]).toMatchObject({ status: 'rejected', reason: { code: 'invalid' } });
    for (const r of [res[1]!, res[2]!]) {
      expect(r).toMatchObject({ status: 'rejected', reason: { code: 'dependency_rejected' } });
      expect(r.reason!.message).toContain(task.id);
    }
  });
});

describe('the request', () => {
  it('answers errors as JSON: token, body size, malformed JSON, contract, too many mutations', async () => {
    const m = update('tasks', uuid(), { notes: 'x' }, { notes: null });
    expect(await post(null, { client_id: CLIENT_ID, mutations: [m] })).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    });
    expect(await post('tech', null, { raw: '{"client_id": ' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_json' } },
    });
    const huge = await post('tech', null, { raw: `{"pad":"${'x'.repeat(MAX_MUTATIONS_BODY_BYTES)}"}` });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    const many = Array.from({ length: MAX_MUTATIONS_PER_REQUEST + 1 }, () => ({ ...m, id: uuid() }));
    expect(await post('tech', { client_id: CLIENT_ID, mutations: many })).toMatchObject({
      status: 400,
      body: { error: { code: 'too_many_mutations' } },
    });
    const wrongOp = await post('tech', { client_id: CLIENT_ID, mutations: [{ ...m, op: 'upsert' }] });
    expect(wrongOp).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(wrongOp.body.error!.message).toContain('mutations[0].op');
    expect(await post('tech', { client_id: CLIENT_ID, mutations: [m, m] })).toMatchObject({ status: 400 });
    const tx = uuid();
    const split = [
      { ...m, id: uuid(), tx },
      { ...m, id: uuid() },
      { ...m, id: uuid(), tx },
    ];
    expect(await post('tech', { client_id: CLIENT_ID, mutations: split })).toMatchObject({ status: 400 });
    expect(await post('tech', { client_id: CLIENT_ID, mutations: [] })).toMatchObject({ status: 400 });
    const get = await fetch(`${gateway.url}/v1/mutations`, {
      headers: { authorization: `Bearer ${tokens['tech@northwind.test']}` },
    });
    expect(get.status).toBe(405);
    // A membership the caller does not have.
    const foreign = await fetch(`${gateway.url}/v1/mutations?organization_id=${orgs.contoso}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['tech@northwind.test']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT_ID, mutations: [m] }),
    });
    expect(foreign.status).toBe(403);
  });
});

/** `sql` as processMutations sees it, with every statement it sends handed to `spy` first (which may fail it). */
function spied(spy: (text: string, values: unknown[]) => Promise<void> | void): pg.ClientBase {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
      return async (query: string | pg.QueryConfig, params?: unknown[]) => {
        const q = typeof query === 'string' ? { text: query, values: params ?? [] } : query;
        await spy(q.text, q.values ?? []);
        return target.query(q);
      };
    },
  });
}

const techCaller = () => ({
  userId: users['tech@northwind.test']!,
  organizationId: orgs.northwind!,
  role: 'technician' as const,
  clientId: CLIENT_ID,
});

describe('unexpected failures', () => {
  it('stop the request without storing anything of its transaction; the retry applies it all', async () => {
    const [a, b] = [await freshTask(), await freshTask()];
    const first = update('tasks', a, { notes: 'rolled back' }, { notes: 'original notes' });
    const second = update('tasks', b, { notes: 'lost' }, { notes: 'original notes' });
    // A connection that fails (as on an outage) when the second mutation writes.
    let armed = true;
    const failing = spied((text, values) => {
      if (armed && text.startsWith('update') && values.includes(b)) {
        armed = false;
        throw new Error('connection lost');
      }
    });
    await expect(processMutations(failing, techCaller(), [first, second])).rejects.toThrow('connection lost');
    expect(await count('select 1 from app.processed_mutations where id = any($1)', [[first.id, second.id]])).toBe(0);
    expect(await row('tasks', a)).toMatchObject({ notes: 'original notes', row_version: '1' });
    expect(await row('tasks', b)).toMatchObject({ notes: 'original notes', row_version: '1' });
    // The client retries the batch: both apply now, once.
    const retry = await mutate('tech', [first, second]);
    expect(retry.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await row('tasks', a)).toMatchObject({ notes: 'rolled back', row_version: '2' });
    expect(await row('tasks', b)).toMatchObject({ notes: 'lost', row_version: '2' });
  });

  it('in a careful run, what committed before the failure replays', async () => {
    const [a, b] = [await freshTask(), await freshTask()];
    // A value only Postgres refuses: a Postgres error, so the request runs carefully, a transaction per group.
    const orphan = update('devices', await freshDevice(), { ip_address: 'not an address' }, { ip_address: null });
    const first = update('tasks', a, { notes: 'committed' }, { notes: 'original notes' });
    const second = update('tasks', b, { notes: 'lost' }, { notes: 'original notes' });
    let armed = true;
    const failing = spied((text, values) => {
      if (armed && text.startsWith('update') && values.includes(b)) {
        armed = false;
        throw new Error('connection lost');
      }
    });
    await expect(processMutations(failing, techCaller(), [orphan, first, second])).rejects.toThrow('connection lost');
    const stored = await processedResults(orphan.id, first.id, second.id);
    expect(stored.get(orphan.id)).toMatchObject({ status: 'rejected' });
    expect(stored.get(first.id)).toMatchObject({ status: 'applied' });
    expect(stored.has(second.id)).toBe(false);
    expect(await row('tasks', b)).toMatchObject({ notes: 'original notes', row_version: '1' });
    const retry = await mutate('tech', [orphan, first, second]);
    expect(retry.map((r) => r.status)).toEqual(['rejected', 'applied', 'applied']);
    expect(retry[1]).toEqual(stored.get(first.id)!.result);
    expect(await row('tasks', a)).toMatchObject({ notes: 'committed', row_version: '2' });
    expect(await row('tasks', b)).toMatchObject({ notes: 'lost', row_version: '2' });
  });
});

describe('one transaction per request', () => {
  it('commits the mutations of a request together: one txid, each stored once, conflicts recorded', async () => {
    const [a, b] = [await freshTask(), await freshTask()];
    await sql.query(`update tasks set notes = 'dispatch was here' where id = $1`, [b]);
    const ms = [
      update('tasks', a, { notes: 'one' }, { notes: 'original notes' }),
      update('tasks', b, { notes: 'two' }, { notes: 'original notes' }), // manual conflict: nothing written
      insert('task_subtasks', { task_id: a, title: 'three' }),
      update('tasks', a, { status: 'in_progress' }, { status: 'scheduled' }),
    ];
    const res = await mutate('dispatch', ms);
    expect(res.map((r) => r.status)).toEqual(['applied', 'conflict', 'applied', 'applied']);
    expect(res[1]!.txid).toBeUndefined();
    const txid = res[0]!.txid!;
    expect([res[2]!.txid, res[3]!.txid]).toEqual([txid, txid]);
    // The rows were written by that very transaction (xmin is its xid while it is this recent).
    expect((await row('tasks', a))!.xmin).toBe(String(txid));
    expect((await row('tasks', a))!.row_version).toBe('3');
    const stored = await processedResults(...ms.map((m) => m.id));
    for (const [i, m] of ms.entries()) expect(stored.get(m.id)!.result).toEqual(res[i]);
    const audit = await sql.query(`select column_name, resolution from app.mutation_conflicts where mutation_id = $1`, [
      ms[1]!.id,
    ]);
    expect(audit.rows).toEqual([{ column_name: 'notes', resolution: 'manual' }]);
  });

  it('a mutation that fails rolls back only itself; a tx group rejected after it wrote rolls back whole', async () => {
    const a = await freshTask();
    const tx = uuid();
    const groupTask = insert('tasks', { property_id: fixtures.northwind!.property, title: 'Planned' }, { tx });
    const ms = [
      update('tasks', a, { notes: 'before' }, { notes: 'original notes' }),
      insert('task_subtasks', { task_id: uuid(), title: 'orphan' }), // constraint: Postgres refuses it
      groupTask,
      // The group's second mutation is refused before it writes, after the first one wrote.
      update('tasks', uuid(), { notes: 'nowhere' }, { notes: null }, 1, { tx }),
      insert('task_subtasks', { task_id: a, title: 'after' }),
    ];
    const res = await mutate('dispatch', ms);
    expect(res.map((r) => [r.status, r.reason?.code])).toEqual([
      ['applied', undefined],
      ['rejected', 'constraint'],
      ['rejected', 'dependency_rejected'],
      ['rejected', 'not_found'],
      ['applied', undefined],
    ]);
    expect(await row('tasks', groupTask.pk.id as string)).toBeUndefined();
    expect((await row('tasks', a))!.notes).toBe('before');
    expect(await count('select 1 from task_subtasks where task_id = $1', [a])).toBe(1);
    expect(await count('select 1 from app.processed_mutations where id = any($1)', [ms.map((m) => m.id)])).toBe(5);
    expect(await mutate('dispatch', ms)).toEqual(res);
  });

  it('costs two statements per update and one per insert, plus a few per request', async () => {
    const tasks: string[] = [];
    for (let i = 0; i < 10; i++) tasks.push(await freshTask());
    const ms = [
      ...tasks.map((id, i) => update('tasks', id, { notes: `n${i}` }, { notes: 'original notes' })),
      ...tasks.map((id) => insert('task_subtasks', { task_id: id, title: 'x' })),
    ];
    const texts: string[] = [];
    const res = await processMutations(
      spied((text) => void texts.push(text)),
      { ...techCaller(), userId: users['dispatch@northwind.test']!, role: 'dispatcher' },
      ms,
    );
    expect(res.every((r) => r.status === 'applied')).toBe(true);
    // begin, set-up, taken ids, the bookkeeping, commit: 5; then 2 × 10 updates + 10 inserts.
    expect(texts).toHaveLength(5 + 30);
    expect(texts.filter((t) => /^(begin|commit)$/.test(t))).toEqual(['begin', 'commit']);
  });

  it('two requests that deadlock on each other’s rows both apply, the loser carefully', async () => {
    const [x, y] = [await freshTask(), await freshTask()];
    const sql2 = await connect(db.url);
    try {
      // Each request locks its first row, then waits until the other has locked its own.
      const locked = [signal(), signal()];
      const stepping = (client: pg.ClientBase, mine: number, secondRow: string) => {
        let seen = 0;
        return new Proxy(client, {
          get(target, prop, receiver) {
            if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
            return async (query: pg.QueryConfig | string, params?: unknown[]) => {
              const q = typeof query === 'string' ? { text: query, values: params ?? [] } : query;
              if (q.text.includes('for update') && q.values?.includes(secondRow) && seen++ === 0) {
                locked[mine]!.resolve();
                await locked[1 - mine]!.promise;
              }
              return target.query(q);
            };
          },
        }) as pg.ClientBase;
      };
      const reqA = [
        update('tasks', x, { notes: 'A' }, { notes: 'original notes' }),
        update('tasks', y, { description: 'A' }, { description: null }),
      ];
      const reqB = [
        update('tasks', y, { notes: 'B' }, { notes: 'original notes' }),
        update('tasks', x, { description: 'B' }, { description: null }),
      ];
      const [ra, rb] = await Promise.all([
        processMutations(stepping(sql, 0, y), techCaller(), reqA),
        processMutations(stepping(sql2, 1, x), techCaller(), reqB),
      ]);
      expect([...ra, ...rb].map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
      expect(await row('tasks', x)).toMatchObject({ notes: 'A', description: 'B' });
      expect(await row('tasks', y)).toMatchObject({ notes: 'B', description: 'A' });
      // Each mutation once: the deadlock's loser stored nothing of its first attempt.
      expect(
        await count('select 1 from app.processed_mutations where id = any($1)', [[...reqA, ...reqB].map((m) => m.id)]),
      ).toBe(4);
    } finally {
      await sql2.end();
    }
  });
});

describe('a full outbox', () => {
  it(`applies ${MAX_MUTATIONS_PER_REQUEST} mutations in one request`, async () => {
    const task = await freshTask();
    const subs = Array.from({ length: MAX_MUTATIONS_PER_REQUEST }, (_, i) =>
      insert('task_subtasks', { task_id: task, title: `Step ${i}`, position: i }),
    );
    const results = await mutate('dispatch', subs);
    expect(results.every((r) => r.status === 'applied')).toBe(true);
    expect(await count('select 1 from task_subtasks where task_id = $1', [task])).toBe(MAX_MUTATIONS_PER_REQUEST);
  });
});

describe('the bookkeeping tables under RLS', () => {
  it("a member reads their own results, an admin their organization's, nobody another organization's", async () => {
    await mutate1(
      'contosoTech',
      update('tasks', await freshTask('contoso'), { notes: 'c' }, { notes: 'original notes' }),
    );
    await mutate1('tech', update('tasks', await freshTask(), { notes: 'n' }, { notes: 'original notes' }));
    const seen = async (email: string) =>
      asUser(sql, userClaims(users[email]!), async (c) => {
        const p = await c.query<{ user_id: string; organization_id: string }>(
          'select user_id::text, organization_id::text from app.processed_mutations',
        );
        const k = await c.query<{ organization_id: string }>(
          'select organization_id::text from app.mutation_conflicts',
        );
        return { processed: p.rows, conflicts: k.rows };
      });
    const tech = await seen('tech@northwind.test');
    expect(tech.processed.length).toBeGreaterThan(0);
    expect(tech.processed.every((r) => r.user_id === users['tech@northwind.test'])).toBe(true);
    const admin = await seen('admin@northwind.test');
    expect(new Set(admin.processed.map((r) => r.user_id)).size).toBeGreaterThan(1);
    expect(admin.processed.every((r) => r.organization_id === orgs.northwind)).toBe(true);
    expect(admin.conflicts.length).toBeGreaterThan(0);
    expect(admin.conflicts.every((r) => r.organization_id === orgs.northwind)).toBe(true);
    const contoso = await seen('admin@contoso.test');
    expect(contoso.processed.length).toBeGreaterThan(0);
    expect(contoso.processed.every((r) => r.organization_id === orgs.contoso)).toBe(true);

    // Nobody writes a row for someone else or another organization, or rewrites a stored result.
    const forge = (userId: string, orgId: string) =>
      asUser(sql, userClaims(users['tech@northwind.test']!), (c) =>
        c.query(
          `insert into app.processed_mutations (id, client_id, user_id, organization_id, payload_hash, status, result)
           values ($1, $1, $2, $3, repeat('0', 64), 'applied', '{}')`,
          [uuid(), userId, orgId],
        ),
      );
    await expect(forge(users['tech@northwind.test']!, orgs.contoso!)).rejects.toThrow(/row-level security/);
    await expect(forge(users['dispatch@northwind.test']!, orgs.northwind!)).rejects.toThrow(/row-level security/);
    await expect(
      asUser(sql, userClaims(users['admin@northwind.test']!), (c) =>
        c.query(`update app.processed_mutations set status = 'rejected'`),
      ),
    ).rejects.toThrow(/permission denied/);
  });
});
