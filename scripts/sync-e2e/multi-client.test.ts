/**
 * Several laptops, each with its own replica, editing the same organization offline and coming back
 * online, against the real stack: what merges, what conflicts (and how the policy and the inbox
 * decide it), delete against update, a serial clash, and writes the server must refuse with nothing
 * written. Each case checks the server (operator SQL) and the replicas; the last one checks that
 * every replica equals what its user sees on the server, checksum by checksum.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processedResults, serverRow as rowAsOperator } from './server-checks.js';
import { SimClient, syncAll } from './sim-client.js';
import { replicaFileView, startTestStack, type TestStack } from './test-stack.js';

let stack: TestStack;
let tech: SimClient; // technician
let tech2: SimClient; // technician
let dispatch: SimClient; // dispatcher
let contoso: SimClient; // technician of the other organization
let all: SimClient[];
let northwind: string;
let freeTasks: string[];

beforeAll(async () => {
  stack = await startTestStack({ name: 'multi-client', seed: 21 });
  northwind = stack.user('tech@northwind.test').orgId;
  const open = (email: string, name: string) => SimClient.open({ stack, email, name });
  [tech, tech2, dispatch, contoso] = await Promise.all([
    open('tech@northwind.test', 'tech'),
    open('tech2@northwind.test', 'tech2'),
    open('dispatch@northwind.test', 'dispatch'),
    open('tech@contoso.test', 'contoso'),
  ]);
  all = [tech, tech2, dispatch, contoso];
  const { rows } = await stack.sql.query<{ id: string }>(
    'select id::text from tasks where organization_id = $1 and deleted_at is null order by id',
    [northwind],
  );
  freeTasks = rows.map((r) => r.id);
});

afterAll(async () => {
  for (const c of all ?? []) await c.close();
  await stack?.stop();
});

/** A task no other case has touched, with these columns set on the server and synced everywhere. */
async function freshTask(set: Record<string, unknown> = {}): Promise<string> {
  const id = freeTasks.shift()!;
  const cols = Object.keys(set);
  if (cols.length) {
    const assignments = cols.map((c, i) => `${c} = $${i + 2}`).join(', ');
    await stack.sql.query(`update tasks set ${assignments} where id = $1`, [id, ...Object.values(set)]);
  }
  await syncAll(stack, all);
  return id;
}

const serverRow = (table: string, id: string) => rowAsOperator(stack.sql, table, id);
const processed = (...ids: string[]) => processedResults(stack.sql, ids);

/** Both go offline and make their edits; then `first` comes back and uploads, then `second`. */
async function offline<A, B>(first: [SimClient, () => A], second: [SimClient, () => B]): Promise<[A, B]> {
  first[0].goOffline();
  second[0].goOffline();
  const a = first[1]();
  const b = second[1]();
  first[0].goOnline();
  await first[0].upload();
  second[0].goOnline();
  await second[0].upload();
  await syncAll(stack, all);
  return [a, b];
}

const openInbox = (c: SimClient, mutationId: string) => c.inbox.list().find((e) => e.mutationId === mutationId);

describe('offline edits of one row by several clients', () => {
  it('different columns merge: both apply, no conflict, every replica shows both', async () => {
    const id = await freshTask({ notes: null, priority: 'low' });
    const [a, b] = await offline(
      [tech, () => tech.writes.update('tasks', { id }, { title: 'Bring the long ladder' })!],
      [tech2, () => tech2.writes.update('tasks', { id }, { notes: 'Gate code is 4471', priority: 'urgent' })!],
    );
    expect(await serverRow('tasks', id)).toMatchObject({
      title: 'Bring the long ladder',
      notes: 'Gate code is 4471',
      priority: 'urgent',
    });
    const results = await processed(a.mutationId, b.mutationId);
    for (const r of results.values()) expect(r).toMatchObject({ status: 'applied', txid: expect.any(String) });
    expect(results.size).toBe(2);
    expect([...results.values()].every((r) => r.result.conflicts === undefined)).toBe(true);
    for (const c of [tech, tech2, dispatch])
      expect(c.row('tasks', id)).toMatchObject({ title: 'Bring the long ladder', notes: 'Gate code is 4471' });
    expect(openInbox(tech2, b.mutationId)).toBeUndefined();
  });

  it('the same column without a rule is a manual conflict: server value kept, the rest applied, keep mine wins later', async () => {
    const id = await freshTask({ description: 'Replace the panel', estimated_minutes: 60 });
    const [, b] = await offline(
      [tech, () => tech.writes.update('tasks', { id }, { description: 'Panel replaced; battery low' })!],
      [tech2, () => tech2.writes.update('tasks', { id }, { description: 'Panel is fine', estimated_minutes: 90 })!],
    );
    expect(await serverRow('tasks', id)).toMatchObject({
      description: 'Panel replaced; battery low',
      estimated_minutes: 90,
    });
    const stored = (await processed(b.mutationId)).get(b.mutationId)!;
    expect(stored.status).toBe('conflict');
    expect(stored.result.conflicts).toEqual([
      {
        column: 'description',
        base: 'Replace the panel',
        server: 'Panel replaced; battery low',
        mine: 'Panel is fine',
        resolution: 'manual',
        result: 'Panel replaced; battery low',
      },
    ]);
    // tech2 sees the server's description and its own minutes, and has a decision to make.
    expect(tech2.row('tasks', id)).toMatchObject({ description: 'Panel replaced; battery low', estimated_minutes: 90 });
    expect(openInbox(tech2, b.mutationId)).toMatchObject({
      kind: 'conflict',
      fields: [
        {
          column: 'description',
          base: 'Replace the panel',
          mine: 'Panel is fine',
          theirs: 'Panel replaced; battery low',
        },
      ],
    });
    expect(tech2.counts().conflicts).toBe(1);

    const again = tech2.inbox.keepMine(b.mutationId)!;
    await syncAll(stack, all);
    expect((await processed(again)).get(again)).toMatchObject({ status: 'applied' });
    expect((await serverRow('tasks', id))!.description).toBe('Panel is fine');
    expect(tech.row('tasks', id)!.description).toBe('Panel is fine');
    expect(tech2.counts().conflicts).toBe(0);
  });

  it('tags-merge: tags added on both sides are all kept', async () => {
    const id = await freshTask({ tags: ['alarm'] });
    await offline(
      [tech, () => tech.writes.update('tasks', { id }, { tags: ['alarm', 'ladder'] })!],
      [tech2, () => tech2.writes.update('tasks', { id }, { tags: ['alarm', 'keys-at-office'] })!],
    );
    expect((await serverRow('tasks', id))!.tags).toEqual(['alarm', 'ladder', 'keys-at-office']);
    for (const c of [tech, tech2]) expect(c.row('tasks', id)!.tags).toBe('["alarm","ladder","keys-at-office"]');
  });

  it.each([
    ['dispatch uploads first', 'dispatch'],
    ['the technician uploads first', 'tech'],
  ])(
    'dispatch-status-wins (%s): the dispatcher’s status stands, and a technician it overrode is told',
    async (_, firstName) => {
      const id = await freshTask({ status: 'scheduled' });
      const edits: [SimClient, () => string][] = [
        [dispatch, () => dispatch.writes.update('tasks', { id }, { status: 'cancelled' })!.mutationId],
        [tech, () => tech.writes.update('tasks', { id }, { status: 'in_progress' })!.mutationId],
      ];
      const ordered = firstName === 'dispatch' ? edits : [edits[1]!, edits[0]!];
      const [, second] = await offline(ordered[0]!, ordered[1]!);
      expect((await serverRow('tasks', id))!.status).toBe('cancelled');
      for (const c of [tech, tech2, dispatch]) expect(c.row('tasks', id)!.status).toBe('cancelled');
      const { rows } = await stack.sql.query('select rule from app.mutation_conflicts where mutation_id = $1', [
        second,
      ]);
      expect(rows).toEqual([{ rule: 'dispatch-status-wins' }]);
      expect(dispatch.counts()).toMatchObject({ conflicts: 0, rejected: 0, overridden: 0 });
      expect(dispatch.inbox.list()).toEqual([]);
      if (firstName === 'tech') {
        // The technician's status applied cleanly and dispatch's replaced it later: nothing to tell.
        expect(tech.inbox.list().filter((e) => e.pk.id === id)).toEqual([]);
        return;
      }
      expect(openInbox(tech, second)).toMatchObject({
        kind: 'overridden',
        fields: [
          {
            column: 'status',
            base: 'scheduled',
            mine: 'in_progress',
            theirs: 'cancelled',
            resolution: 'server',
            rule: 'dispatch-status-wins',
            why: expect.stringMatching(/^Dispatch re-plans work/),
          },
        ],
        reason: { code: 'overridden' },
      });
      expect(tech.counts()).toMatchObject({ conflicts: 0, overridden: 1 });
      tech.inbox.acknowledge(second);
      expect(tech.counts().overridden).toBe(0);
    },
  );
});

describe('delete against update', () => {
  it('deleted by dispatch first: the technician’s update is rejected as not found and rolled back', async () => {
    const id = await freshTask();
    const title = (await serverRow('tasks', id))!.title;
    const [del, upd] = await offline(
      [dispatch, () => dispatch.writes.delete('tasks', { id })],
      [tech, () => tech.writes.update('tasks', { id }, { title: 'Edited after the delete' })!],
    );
    expect(await serverRow('tasks', id)).toMatchObject({ title, deleted_at: expect.any(Date) });
    const results = await processed(del.mutationId, upd.mutationId);
    expect(results.get(del.mutationId)).toMatchObject({ status: 'applied', txid: expect.any(String) });
    expect(results.get(upd.mutationId)).toMatchObject({ status: 'rejected', txid: null });
    expect(openInbox(tech, upd.mutationId)).toMatchObject({ kind: 'rejected', reason: { code: 'not_found' } });
    expect(tech.row('tasks', id)).toMatchObject({ title, deleted_at: expect.any(String) });
  });

  it('updated first: the delete made before it is a conflict and deletes nothing; keep mine deletes on purpose', async () => {
    const id = await freshTask({ notes: 'Side door' });
    const [, del] = await offline(
      [tech, () => tech.writes.update('tasks', { id }, { notes: 'Side door sticks; oil the hinge' })!],
      [dispatch, () => dispatch.writes.delete('tasks', { id })],
    );
    expect(await serverRow('tasks', id)).toMatchObject({ notes: 'Side door sticks; oil the hinge', deleted_at: null });
    expect((await processed(del.mutationId)).get(del.mutationId)).toMatchObject({ status: 'conflict', txid: null });
    expect(dispatch.row('tasks', id)!.notes).toBe('Side door sticks; oil the hinge');
    expect(openInbox(dispatch, del.mutationId)).toMatchObject({ kind: 'conflict', op: 'delete' });

    dispatch.inbox.keepMine(del.mutationId);
    await syncAll(stack, all);
    expect((await serverRow('tasks', id))!.deleted_at).toBeInstanceOf(Date);
    expect(tech.row('tasks', id)!.deleted_at).toEqual(expect.any(String));
  });
});

it('a serial number recorded offline on two laptops: the second device and its task link are rejected together', async () => {
  const taskId = await freshTask();
  const { property_id, device_type_id } = (
    await stack.sql.query('select property_id, device_type_id from devices where organization_id = $1 limit 1', [
      northwind,
    ])
  ).rows[0] as { property_id: string; device_type_id: string };
  const device = (serial: string) => ({
    organization_id: northwind,
    property_id,
    device_type_id,
    serial_number: serial,
  });
  const [first, [dev, link]] = await offline(
    [tech, () => tech.writes.insert('devices', device('NW-CLASH-0001'))],
    [
      tech2,
      () =>
        tech2.writes.transaction((w) => {
          const d = w.insert('devices', device('nw-clash-0001'));
          const l = w.insert('task_devices', { organization_id: northwind, task_id: taskId, device_id: d.pk.id });
          return [d, l] as const;
        }),
    ],
  );
  const { rows } = await stack.sql.query(
    `select id::text from devices where organization_id = $1 and lower(serial_number) = 'nw-clash-0001'`,
    [northwind],
  );
  expect(rows).toEqual([{ id: first.pk.id }]);
  expect(await serverRow('task_devices', link.pk.id as string)).toBeUndefined();
  const results = await processed(dev.mutationId, link.mutationId);
  expect([...results.values()].map((r) => [r.status, r.txid])).toEqual([
    ['rejected', null],
    ['rejected', null],
  ]);
  expect(openInbox(tech2, dev.mutationId)).toMatchObject({ kind: 'rejected', reason: { code: 'constraint' } });
  expect(openInbox(tech2, link.mutationId)).toMatchObject({ reason: { code: 'dependency_rejected' } });
  expect(tech2.row('devices', dev.pk.id as string)).toBeUndefined();
  expect(tech2.row('devices', first.pk.id as string)).toMatchObject({ serial_number: 'NW-CLASH-0001' });
});

describe('writes the server must refuse, with nothing written', () => {
  it('a technician’s writes their role may not make: rejected as forbidden and rolled back locally', async () => {
    const before = await stack.serverView('admin@northwind.test');
    const taskId = freeTasks.shift()!;
    const typeId = (tech.replica.prepare('select id from device_types_view limit 1').pluck().get() as string)!;
    const typeName = tech.row('device_types', typeId)!.name;
    const receipts = [
      tech.writes.insert('accounts', {
        organization_id: northwind,
        name: 'Shadow account',
        account_type: 'commercial',
      }),
      tech.writes.delete('tasks', { id: taskId }),
      tech.writes.update('device_types', { id: typeId }, { name: 'Renamed by a technician' })!,
    ];
    expect(tech.row('tasks', taskId)).toBeUndefined(); // optimistic, until the server says no
    await tech.upload();
    await syncAll(stack, all);
    expect(await stack.serverView('admin@northwind.test')).toEqual(before);
    const results = await processed(...receipts.map((r) => r.mutationId));
    for (const r of receipts) {
      expect(results.get(r.mutationId)).toMatchObject({ status: 'rejected', txid: null });
      expect(openInbox(tech, r.mutationId)).toMatchObject({ kind: 'rejected', reason: { code: 'forbidden' } });
    }
    expect(tech.row('accounts', receipts[0]!.pk.id as string)).toBeUndefined();
    expect(tech.row('tasks', taskId)).toMatchObject({ deleted_at: null });
    expect(tech.row('device_types', typeId)!.name).toBe(typeName);
  });

  it('another organization: a forged organization_id, a link to its task, a tampered outbox naming its rows', async () => {
    const before = await stack.serverView('admin@northwind.test');
    const taskId = freeTasks.shift()!;
    const task = (await serverRow('tasks', taskId))!;
    const device = (await stack.sql.query('select * from devices where organization_id = $1 limit 1', [northwind]))
      .rows[0] as Record<string, unknown>;
    const own = stack.user('tech@contoso.test').orgId;
    const ownDevice = contoso.replica.prepare('select id from devices_view limit 1').pluck().get() as string;
    const forged = contoso.writes.insert('task_activities', {
      organization_id: northwind,
      task_id: taskId,
      action: 'comment',
    });
    const link = contoso.writes.insert('task_devices', { organization_id: own, task_id: taskId, device_id: ownDevice });
    // A client that writes its own outbox can name any row: the server must judge it as if it could.
    const append = contoso.replica.prepare(
      `insert into sync_outbox (id, table_name, op, pk, "values", base, created_at) values (?, ?, ?, ?, ?, ?, ?)`,
    );
    const tamper = (table: string, op: string, id: unknown, values: object | null, base: object) => {
      const mutationId = randomUUID();
      const json = (v: object | null) => (v ? JSON.stringify(v) : null);
      append.run(
        mutationId,
        table,
        op,
        json({ id }),
        json(values),
        json({ values: base, version: 1 }),
        '2026-06-01T00:00:00Z',
      );
      return mutationId;
    };
    const expected = new Map([
      [forged.mutationId, 'forbidden'],
      [link.mutationId, 'constraint'],
      [tamper('tasks', 'update', taskId, { title: 'Hijacked' }, { title: task.title }), 'not_found'],
      [tamper('devices', 'update', device.id, { notes: 'Hijacked' }, { notes: device.notes }), 'not_found'],
      [tamper('devices', 'delete', device.id, null, { serial_number: device.serial_number }), 'forbidden'],
    ]);
    await contoso.upload();
    await syncAll(stack, all);

    expect(await stack.serverView('admin@northwind.test')).toEqual(before);
    const results = await processed(...expected.keys());
    for (const [id, code] of expected)
      expect(results.get(id), code).toMatchObject({ status: 'rejected', txid: null, result: { reason: { code } } });
    expect(contoso.row('task_activities', forged.pk.id as string)).toBeUndefined();
    expect(contoso.counts()).toMatchObject({ queued: 0, awaitingConfirmation: 0, rejected: expected.size });
  });
});

it('after everyone has synced, every replica equals what its user sees on the server', async () => {
  await syncAll(stack, all);
  for (const c of all) {
    expect(c.counts()).toMatchObject({ queued: 0, awaitingConfirmation: 0 });
    expect(c.overlays(), c.email).toBe(0);
    expect(replicaFileView(c.file), c.email).toEqual(await stack.serverView(c.email));
  }
});
