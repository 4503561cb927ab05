import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChangeMessage, Row } from '@electric-sql/client';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CONFLICT_RULES } from '../../../shared/sync/conflict-policy.js';
import { device_types, tasks } from '../../../shared/schema/tables.js';
import { tableApplier } from '../replica/apply-batch.js';
import { openReplica, type Replica } from '../replica/open-replica.js';
import { ConflictInbox, InboxChoiceError, InboxError } from './conflict-inbox.js';
import { LocalWrites } from './local-writes.js';
import { outboxCounts, recordResults } from './outbox.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-inbox-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ORG = '00000000-0000-0000-0000-00000000000a';
const DT = '00000000-0000-0000-0000-0000000000d1';
const row = (name: string, model: string, version: bigint): Row => ({
  id: DT,
  organization_id: ORG,
  category: 'camera',
  manufacturer: 'Axis',
  model,
  name,
  is_networked: true,
  default_warranty_months: 24,
  created_at: '2026-06-01 00:00:00+00',
  updated_at: '2026-06-01 00:00:00+00',
  row_version: version,
  deleted_at: null,
});

let db: Replica;
let writes: LocalWrites;
let inbox: ConflictInbox;
let n = 0;
const serverSends = (value: Row, offset: string, txids?: number[]) =>
  tableApplier(db, device_types).apply({
    changes: [
      {
        key: DT,
        value,
        headers: { operation: 'insert', ...(txids ? { txids } : {}) },
      } as ChangeMessage<Row>,
    ],
    refetch: false,
    handle: 'h',
    offset: offset as never,
    schema: null,
    bytes: 0,
    upToDateAt: '2026-06-01T00:00:00.000Z',
  });
const outbox = () => db.prepare(`select "values", base from sync_outbox order by seq`).all();

beforeEach(() => {
  db = openReplica(path.join(dir, `r${n++}.db`)).db;
  writes = new LocalWrites(db);
  inbox = new ConflictInbox(db, writes);
  serverSends(row('Dome', 'P3265', 1n), '1_0');
});

/** My edit of `name` meets the dispatcher's: the server keeps theirs (manual), the row arrives with it. */
function conflictOnName(): string {
  const { mutationId } = writes.update('device_types', { id: DT }, { name: 'Mine' })!;
  recordResults(db, [
    {
      id: mutationId,
      status: 'conflict',
      conflicts: [{ column: 'name', base: 'Dome', server: 'Theirs', mine: 'Mine', resolution: 'manual' }],
    },
  ]);
  serverSends(row('Theirs', 'P3265', 2n), '2_0', [77]);
  return mutationId;
}

describe('conflict inbox', () => {
  it('lists mine, theirs (the current server value) and base per conflicting column', () => {
    const id = conflictOnName();
    expect(inbox.list()).toEqual([
      expect.objectContaining({
        mutationId: id,
        kind: 'conflict',
        table: 'device_types',
        op: 'update',
        pk: { id: DT },
        fields: [{ column: 'name', base: 'Dome', mine: 'Mine', theirs: 'Theirs', resolution: 'manual' }],
        reason: null,
      }),
    ]);
    expect(outbox()).toEqual([]); // nothing was written on the server, so nothing waits for a txid
  });

  it('keep mine queues my value again on the server row as it is now, and closes the entry', () => {
    const id = conflictOnName();
    const again = inbox.keepMine(id);
    expect(again).toBeTruthy();
    expect(outbox()).toEqual([
      { values: JSON.stringify({ name: 'Mine' }), base: JSON.stringify({ values: { name: 'Theirs' }, version: 2 }) },
    ]);
    expect(db.prepare('select name from device_types_view').pluck().get()).toBe('Mine');
    expect(inbox.list()).toEqual([]);
    expect(() => inbox.keepMine(id)).toThrow(InboxError);
  });

  it('take theirs closes the entry and changes nothing else', () => {
    const id = conflictOnName();
    inbox.takeTheirs(id);
    expect(inbox.list()).toEqual([]);
    expect(outbox()).toEqual([]);
    expect(db.prepare('select name from device_types_view').pluck().get()).toBe('Theirs');
    expect(db.prepare('select resolution from sync_conflicts').pluck().get()).toBe('take_theirs');
  });

  it('a rejection lists every column I changed with its reason; keep mine on a row gone is refused with nothing changed', () => {
    const { mutationId } = writes.update('device_types', { id: DT }, { model: 'Q1', name: 'N' })!;
    recordResults(db, [{ id: mutationId, status: 'rejected', reason: { code: 'not_found', message: 'gone' } }]);
    const [entry] = inbox.list();
    expect(entry).toMatchObject({
      kind: 'rejected',
      reason: { code: 'not_found', message: 'gone' },
      fields: [
        { column: 'model', base: 'P3265', mine: 'Q1', theirs: 'P3265' },
        { column: 'name', base: 'Dome', mine: 'N', theirs: 'Dome' },
      ],
    });
    db.prepare('delete from device_types').run();
    expect(() => inbox.keepMine(mutationId)).toThrow(expect.objectContaining({ code: 'row_gone' }));
    expect(inbox.list()).toHaveLength(1);
    expect(outbox()).toEqual([]);
  });
});

const TASK = '00000000-0000-0000-0000-0000000000e1';
const taskRow = (status: string, notes: string, version: bigint): Row => ({
  id: TASK,
  organization_id: ORG,
  property_id: DT,
  title: 'Replace panel battery',
  status,
  priority: 'normal',
  notes,
  tags: [],
  created_at: '2026-06-01 00:00:00+00',
  updated_at: '2026-06-01 00:00:00+00',
  row_version: version,
  deleted_at: null,
});
const serverSendsTask = (value: Row, offset: string, txids?: number[]) =>
  tableApplier(db, tasks).apply({
    changes: [
      { key: TASK, value, headers: { operation: 'insert', ...(txids ? { txids } : {}) } } as ChangeMessage<Row>,
    ],
    refetch: false,
    handle: 't',
    offset: offset as never,
    schema: null,
    bytes: 0,
    upToDateAt: '2026-06-01T00:00:00.000Z',
  });
const taskView = () => db.prepare('select status, notes from tasks_view').get();
const STATUS_WINS = CONFLICT_RULES.find((r) => r.name === 'dispatch-status-wins')!;
/** The gateway's answer to a technician's status over a status dispatch set meanwhile. */
const statusKept = {
  column: 'status',
  base: 'scheduled',
  server: 'cancelled',
  mine: 'in_progress',
  resolution: 'server' as const,
  result: 'cancelled',
  rule: 'dispatch-status-wins',
};

describe('edits a rule overrode', () => {
  beforeEach(() => serverSendsTask(taskRow('scheduled', 'Side door', 1n), '1_0'));

  it('the technician is told: what I did, what the server has, the rule and why; acknowledge closes it', () => {
    const { mutationId } = writes.update('tasks', { id: TASK }, { status: 'in_progress' })!;
    recordResults(db, [{ id: mutationId, status: 'applied', conflicts: [statusKept] }]);
    serverSendsTask(taskRow('cancelled', 'Side door', 2n), '2_0', [70]);
    expect(inbox.list()).toEqual([
      {
        mutationId,
        kind: 'overridden',
        table: 'tasks',
        op: 'update',
        pk: { id: TASK },
        fields: [
          {
            column: 'status',
            base: 'scheduled',
            mine: 'in_progress',
            theirs: 'cancelled',
            resolution: 'server',
            rule: 'dispatch-status-wins',
            why: STATUS_WINS.why,
          },
        ],
        reason: {
          code: 'overridden',
          message: `Your change to status did not stand; the server kept its value (dispatch-status-wins). ${STATUS_WINS.why}`,
        },
        createdAt: expect.any(String),
      },
    ]);
    expect(taskView()).toEqual({ status: 'cancelled', notes: 'Side door' });
    expect(outboxCounts(db)).toEqual({ queued: 0, awaitingConfirmation: 0, conflicts: 0, rejected: 0, overridden: 1 });

    // Keeping mine would re-plan over dispatch through the back door: only acknowledging closes it.
    expect(() => inbox.keepMine(mutationId)).toThrow(expect.objectContaining({ code: 'not_choosable' }));
    expect(() => inbox.keepMine(mutationId)).toThrow(InboxChoiceError);
    expect(outbox()).toEqual([]);
    inbox.acknowledge(mutationId);
    expect(inbox.list()).toEqual([]);
    expect(db.prepare('select resolution from sync_conflicts').pluck().get()).toBe('acknowledged');
    expect(outboxCounts(db)).toMatchObject({ conflicts: 0, overridden: 0 });
    expect(() => inbox.acknowledge(mutationId)).toThrow(InboxError);
  });

  it('the rest of the edit applies and awaits its txid; the overridden column shows the server value meanwhile', () => {
    const { mutationId } = writes.update('tasks', { id: TASK }, { status: 'in_progress', notes: 'Door fixed' })!;
    recordResults(db, [{ id: mutationId, status: 'applied', txid: 71, conflicts: [statusKept] }]);
    expect(db.prepare(`select state, "values" from sync_outbox`).get()).toEqual({
      state: 'awaiting_txid',
      values: JSON.stringify({ notes: 'Door fixed' }),
    });
    expect(inbox.list()).toMatchObject([{ kind: 'overridden', fields: [{ column: 'status', mine: 'in_progress' }] }]);
    expect(outboxCounts(db)).toMatchObject({ awaitingConfirmation: 1, overridden: 1 });
    serverSendsTask(taskRow('cancelled', 'Door fixed', 3n), '2_0', [71]);
    expect(outbox()).toEqual([]);
    expect(taskView()).toEqual({ status: 'cancelled', notes: 'Door fixed' });
    expect(inbox.list()).toHaveLength(1);
  });

  it('a conflict also lists the columns a rule decided; keep mine sends only the ones left to me', () => {
    const { mutationId } = writes.update('tasks', { id: TASK }, { status: 'in_progress', notes: 'Door fixed' })!;
    const notes = {
      column: 'notes',
      base: 'Side door',
      server: 'Use the lift',
      mine: 'Door fixed',
      resolution: 'manual' as const,
      result: 'Use the lift',
    };
    recordResults(db, [
      {
        id: mutationId,
        status: 'conflict',
        conflicts: [notes, statusKept],
        reason: { code: 'conflict', message: 'm' },
      },
    ]);
    serverSendsTask(taskRow('cancelled', 'Use the lift', 2n), '2_0', [72]);
    const [entry] = inbox.list();
    expect(entry).toMatchObject({
      kind: 'conflict',
      reason: { code: 'conflict', message: 'm' },
      fields: [
        { column: 'notes', mine: 'Door fixed', theirs: 'Use the lift', resolution: 'manual' },
        {
          column: 'status',
          mine: 'in_progress',
          theirs: 'cancelled',
          resolution: 'server',
          rule: 'dispatch-status-wins',
        },
      ],
    });
    expect(outboxCounts(db)).toMatchObject({ conflicts: 1, overridden: 0 });
    expect(() => inbox.acknowledge(mutationId)).toThrow(expect.objectContaining({ code: 'needs_choice' }));
    inbox.keepMine(mutationId);
    expect(outbox()).toEqual([
      {
        values: JSON.stringify({ notes: 'Door fixed' }),
        base: JSON.stringify({ values: { notes: 'Use the lift' }, version: 2 }),
      },
    ]);
    expect(taskView()).toEqual({ status: 'cancelled', notes: 'Door fixed' });
  });

  it('a rule that kept my value, or merged theirs into mine, tells nobody anything', () => {
    const a = writes.update('tasks', { id: TASK }, { status: 'cancelled' })!;
    const b = writes.update('tasks', { id: TASK }, { tags: ['ladder'] })!;
    recordResults(db, [
      {
        id: a.mutationId,
        status: 'applied',
        txid: 73,
        conflicts: [
          { ...statusKept, mine: 'cancelled', server: 'in_progress', resolution: 'client', result: 'cancelled' },
        ],
      },
      {
        id: b.mutationId,
        status: 'applied',
        txid: 73,
        conflicts: [
          {
            column: 'tags',
            base: [],
            server: ['lift'],
            mine: ['ladder'],
            resolution: 'merged',
            result: ['lift', 'ladder'],
            rule: 'tags-merge',
          },
        ],
      },
    ]);
    expect(inbox.list()).toEqual([]);
    expect(outboxCounts(db)).toMatchObject({ awaitingConfirmation: 2, conflicts: 0, overridden: 0 });
  });
});
