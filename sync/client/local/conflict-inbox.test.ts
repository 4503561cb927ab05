import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChangeMessage, Row } from '@electric-sql/client';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { device_types } from '../../../shared/schema/tables.js';
import { tableApplier } from '../replica/apply-batch.js';
import { openReplica, type Replica } from '../replica/open-replica.js';
import { ConflictInbox, InboxError } from './conflict-inbox.js';
import { LocalWrites } from './local-writes.js';
import { recordResults } from './outbox.js';

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
