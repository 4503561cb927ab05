import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChangeMessage, Row } from '@electric-sql/client';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { device_types, tasks } from '../../../shared/schema/tables.js';
import { tableApplier } from '../replica/apply-batch.js';
import { openReplica, type Replica } from '../replica/open-replica.js';
import { LocalWrites, LocalWriteError } from './local-writes.js';
import { nextBatch, recordResults } from './outbox.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-local-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ORG = '00000000-0000-0000-0000-00000000000a';
const DT = '00000000-0000-0000-0000-0000000000d1';
const serverType = (name: string, version: bigint): Row => ({
  id: DT,
  organization_id: ORG,
  category: 'camera',
  manufacturer: 'Axis',
  model: 'P3265',
  name,
  is_networked: true,
  default_warranty_months: 24,
  created_at: '2026-06-01 00:00:00+00',
  updated_at: '2026-06-01 00:00:00+00',
  row_version: version,
  deleted_at: null,
});
const change = (operation: 'insert' | 'update', value: Row, txids?: number[]): ChangeMessage<Row> => ({
  key: `"public"."device_types"/"${String(value.id)}"`,
  value,
  headers: { operation, ...(txids ? { txids } : {}) } as ChangeMessage<Row>['headers'],
});

let db: Replica;
let w: LocalWrites;
let n = 0;
let ids = 0;
const serverApply = (changes: ChangeMessage<Row>[], offset: string) =>
  tableApplier(db, device_types).apply({
    changes,
    refetch: false,
    handle: 'h',
    offset: offset as never,
    schema: null,
    bytes: 0,
    upToDateAt: '2026-06-01T00:00:00.000Z',
  });
beforeEach(() => {
  db = openReplica(path.join(dir, `r${n++}.db`)).db;
  w = new LocalWrites(db, { newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}` });
  serverApply([change('insert', serverType('Dome', 3n))], '1_0');
});

const view = () => db.prepare(`select id, name, model from device_types_view order by id`).all();
const synced = () => db.prepare(`select id, name from device_types order by id`).all();
const outbox = () => db.prepare(`select op, "values", base, state, txid from sync_outbox order by seq`).all();

describe('local writes', () => {
  it('an update shows in the view at once, keeps the synced row pristine, and queues its mutation with the base', () => {
    const receipt = w.update('device_types', { id: DT }, { name: 'Bullet', model: 'P3265' });
    expect(receipt).not.toBeNull();
    expect(view()).toEqual([{ id: DT, name: 'Bullet', model: 'P3265' }]);
    expect(synced()).toEqual([{ id: DT, name: 'Dome' }]);
    // model did not change, so it is not part of the mutation.
    expect(outbox()).toEqual([
      {
        op: 'update',
        values: JSON.stringify({ name: 'Bullet' }),
        base: JSON.stringify({ values: { name: 'Dome' }, version: 3 }),
        state: 'queued',
        txid: null,
      },
    ]);
    expect(w.update('device_types', { id: DT }, { name: 'Bullet' })).toBeNull();
  });

  it('the overlay is dropped only in the transaction that brings its txid; a server change to other columns shows through meanwhile', () => {
    const { mutationId } = w.update('device_types', { id: DT }, { name: 'Bullet' })!;
    // The dispatcher changed the model meanwhile: visible under my pending name.
    serverApply([change('update', { id: DT, model: 'Q1700', row_version: 4n }, [900])], '2_0');
    expect(view()).toEqual([{ id: DT, name: 'Bullet', model: 'Q1700' }]);
    recordResults(db, [{ id: mutationId, status: 'applied', txid: 901 }]);
    expect(outbox()).toMatchObject([{ state: 'awaiting_txid', txid: 901 }]);
    expect(view()).toEqual([{ id: DT, name: 'Bullet', model: 'Q1700' }]);
    serverApply([change('update', { id: DT, name: 'Bullet', row_version: 5n }, [901])], '3_0');
    expect(outbox()).toEqual([]);
    expect(db.prepare('select count(*) from local_device_types').pluck().get()).toBe(0);
    expect(view()).toEqual([{ id: DT, name: 'Bullet', model: 'Q1700' }]);
  });

  it('an answer that arrives after its txid went by on the stream confirms at once instead of waiting forever', () => {
    const seen = () => db.prepare('select table_name, txid from sync_seen_txids order by txid').all();
    // Nothing unanswered: the stream's txids are not kept.
    serverApply([change('update', { id: DT, model: 'Q1700', row_version: 4n }, [800])], '2_0');
    expect(seen()).toEqual([]);
    const a = w.update('device_types', { id: DT }, { name: 'Bullet' })!;
    const b = w.update('device_types', { id: DT }, { model: 'Q1800' })!;
    // Uploaded; the server committed both (one request) and the stream brings the first before the answer.
    serverApply([change('update', { id: DT, name: 'Bullet', row_version: 5n }, [901])], '3_0');
    expect(seen()).toEqual([{ table_name: 'device_types', txid: 901 }]);
    expect(view()).toEqual([{ id: DT, name: 'Bullet', model: 'Q1800' }]);
    recordResults(db, [
      { id: a.mutationId, status: 'applied', txid: 901 },
      { id: b.mutationId, status: 'applied', txid: 902 },
    ]);
    expect(outbox()).toMatchObject([{ state: 'awaiting_txid', txid: 902 }]);
    // Nothing queued any more: what was kept for the answers is dropped.
    expect(seen()).toEqual([]);
    serverApply([change('update', { id: DT, model: 'Q1800', row_version: 6n }, [902])], '4_0');
    expect(outbox()).toEqual([]);
    expect(db.prepare('select count(*) from local_device_types').pluck().get()).toBe(0);
    expect(view()).toEqual([{ id: DT, name: 'Bullet', model: 'Q1800' }]);
  });

  it('a rejection rolls the overlay back and lands in the inbox with its reason; a manual conflict shows the server value', () => {
    const a = w.update('device_types', { id: DT }, { name: 'Mine' })!;
    recordResults(db, [{ id: a.mutationId, status: 'rejected', reason: { code: 'forbidden', message: 'no' } }]);
    expect(view()).toEqual([{ id: DT, name: 'Dome', model: 'P3265' }]);
    const b = w.update('device_types', { id: DT }, { name: 'Mine again', model: 'X' })!;
    recordResults(db, [
      {
        id: b.mutationId,
        status: 'conflict',
        txid: 950,
        conflicts: [{ column: 'name', base: 'Dome', server: 'Theirs', mine: 'Mine again', resolution: 'manual' }],
      },
    ]);
    // name stays as the server has it (its row arrives with txid 950); model, applied, stays shown.
    expect(view()).toEqual([{ id: DT, name: 'Dome', model: 'X' }]);
    const inbox = db.prepare('select mutation_id, kind, reason from sync_conflicts order by kind').all();
    expect(inbox).toEqual([
      { mutation_id: b.mutationId, kind: 'conflict', reason: null },
      { mutation_id: a.mutationId, kind: 'rejected', reason: JSON.stringify({ code: 'forbidden', message: 'no' }) },
    ]);
  });

  it('a rejected insert takes its queued dependents with it, each with a reason naming it', () => {
    const task = w.insert('tasks', { organization_id: ORG, property_id: DT, title: 'New task' });
    const sub = w.insert('task_subtasks', { organization_id: ORG, task_id: task.pk.id, title: 'Step' });
    w.update('task_subtasks', sub.pk, { title: 'Step 1' });
    const unrelated = w.update('device_types', { id: DT }, { name: 'Other' })!;
    recordResults(db, [{ id: task.mutationId, status: 'rejected', reason: { code: 'forbidden', message: 'no' } }]);
    expect(db.prepare('select id from sync_outbox').pluck().all()).toEqual([unrelated.mutationId]);
    const reasons = db
      .prepare(
        `select table_name, json_extract(reason, '$.code') as code from sync_conflicts order by created_at, table_name`,
      )
      .all();
    expect(reasons).toEqual([
      { table_name: 'task_subtasks', code: 'dependency_rejected' },
      { table_name: 'task_subtasks', code: 'dependency_rejected' },
      { table_name: 'tasks', code: 'forbidden' },
    ]);
    expect(db.prepare('select count(*) from tasks_view').pluck().get()).toBe(0);
    expect(db.prepare('select count(*) from task_subtasks_view').pluck().get()).toBe(0);
  });

  it('one user action is one SQLite transaction and one tx; a failure inside leaves nothing behind', () => {
    const TASK = { organization_id: ORG, property_id: DT, title: 'Install cameras' };
    w.transaction((x) => {
      const t = x.insert('tasks', TASK);
      x.insert('task_subtasks', { organization_id: ORG, task_id: t.pk.id, title: 'Mount' });
    });
    const rows = db.prepare('select tx, table_name from sync_outbox order by seq').all() as { tx: string }[];
    expect(rows.map((r) => r.tx)).toEqual([rows[0]!.tx, rows[0]!.tx]);
    expect(rows[0]!.tx).toBeTruthy();
    expect(() =>
      w.transaction((x) => {
        x.insert('tasks', TASK);
        x.update('device_types', { id: DT }, { no_such_column: 1 });
      }),
    ).toThrow(LocalWriteError);
    expect(db.prepare('select count(*) from sync_outbox').pluck().get()).toBe(2);
    expect(db.prepare('select count(*) from tasks_view').pluck().get()).toBe(1);
  });

  it('refuses bad writes with a reason and changes nothing', () => {
    const attempts: [() => unknown, string][] = [
      [() => w.insert('no_table', {}), 'unknown_table'],
      [() => w.update('device_types', { id: DT }, { row_version: 9 }), 'server_owned'],
      [() => w.update('device_types', { id: DT }, { organization_id: ORG }), 'server_owned'],
      [() => w.update('device_types', { id: DT }, { is_networked: 'yes' }), 'invalid_value'],
      [() => w.insert('tasks', { organization_id: ORG, property_id: DT }), 'missing_value'],
      [() => w.update('device_types', { id: 'nope' }, { name: 'x' }), 'not_found'],
      [
        () => w.insert('device_types', { ...serverType('x', 1n), row_version: undefined, updated_at: undefined }),
        'already_exists',
      ],
    ];
    for (const [attempt, code] of attempts) {
      expect(attempt).toThrow(expect.objectContaining({ code }));
    }
    expect(outbox()).toEqual([]);
    expect(view()).toEqual([{ id: DT, name: 'Dome', model: 'P3265' }]);
  });

  it('batches follow write order and never split a user action', () => {
    w.update('device_types', { id: DT }, { name: 'a' });
    w.transaction((x) => {
      for (let i = 0; i < 3; i++) x.insert('tasks', { organization_id: ORG, property_id: DT, title: `t${i}` });
    });
    w.update('device_types', { id: DT }, { name: 'b' });
    expect(nextBatch(db, 2).map((m) => m.op)).toEqual(['update']);
    expect(nextBatch(db, 4).map((m) => m.table)).toEqual(['device_types', 'tasks', 'tasks', 'tasks']);
    expect(nextBatch(db, 10)).toHaveLength(5);
    expect(tasks.name).toBe('tasks');
  });
});
