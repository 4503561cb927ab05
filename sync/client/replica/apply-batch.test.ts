import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChangeMessage, Offset, Row } from '@electric-sql/client';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { device_types } from '../../../shared/schema/tables.js';
import { tableApplier, type BatchToApply } from './apply-batch.js';
import { openReplica, type Replica } from './open-replica.js';
import { readShapeState } from './sync-state.js';
import { LocalWrites } from '../local/local-writes.js';
import { recordResults } from '../local/outbox.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-apply-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ORG = '00000000-0000-0000-0000-00000000000a';
const full = (id: string, name: string): Row => ({
  id,
  organization_id: ORG,
  category: 'camera',
  manufacturer: 'Axis',
  model: 'P3265',
  name,
  is_networked: true,
  default_warranty_months: 24,
  created_at: '2026-06-01 00:00:00+00',
  updated_at: '2026-06-01 00:00:00+00',
  row_version: 1n,
  deleted_at: null,
});
const change = (operation: 'insert' | 'update' | 'delete', value: Row): ChangeMessage<Row> => ({
  key: `"public"."device_types"/"${String(value.id)}"`,
  value,
  headers: { operation },
});
const batch = (changes: ChangeMessage<Row>[], extra: Partial<BatchToApply> = {}): BatchToApply => ({
  changes,
  refetch: false,
  handle: 'h1',
  offset: '10_2',
  schema: null,
  bytes: 100,
  upToDateAt: '2026-06-01T00:00:00.000Z',
  ...extra,
});

let db: Replica;
let n = 0;
beforeEach(() => {
  db = openReplica(path.join(dir, `r${n++}.db`)).db;
});
const names = () => db.prepare('select id, name, model from device_types order by id').all();

describe('tableApplier', () => {
  it('upserts inserts, updates only the given columns, deletes by key, and stores the offset with them', () => {
    const apply = tableApplier(db, device_types).apply;
    apply(
      batch([
        change('insert', full('1', 'a')),
        change('insert', full('2', 'b')),
        change('insert', full('1', 'a again')),
      ]),
    );
    expect(names()).toEqual([
      { id: '1', name: 'a again', model: 'P3265' },
      { id: '2', name: 'b', model: 'P3265' },
    ]);
    const applied = apply(
      batch([change('update', { id: '2', name: 'b2', row_version: 2n }), change('delete', { id: '1' })], {
        offset: '11_0',
      }),
    );
    expect(names()).toEqual([{ id: '2', name: 'b2', model: 'P3265' }]);
    expect(applied.touched).toBe(true);
    expect(readShapeState(db, 'device_types')).toEqual({
      table: 'device_types',
      handle: 'h1',
      offset: '11_0',
      schema: null,
      lastUpToDateAt: '2026-06-01T00:00:00.000Z',
      rowCount: 1,
      bytes: 200,
      pending: null,
    });
  });

  it('a refetch empties the table in the same transaction that brings the new rows', () => {
    const apply = tableApplier(db, device_types).apply;
    apply(batch([change('insert', full('1', 'old')), change('insert', full('2', 'old'))]));
    apply(
      batch([change('insert', full('3', 'new'))], { refetch: true, handle: 'h2', offset: '0_inf' as Offset, bytes: 7 }),
    );
    expect(names()).toEqual([{ id: '3', name: 'new', model: 'P3265' }]);
    expect(readShapeState(db, 'device_types')).toMatchObject({ handle: 'h2', offset: '0_inf', rowCount: 1, bytes: 7 });
  });

  it('a slice of an initial sync keeps lastUpToDateAt empty until the up-to-date arrives', () => {
    const apply = tableApplier(db, device_types).apply;
    apply(batch([change('insert', full('1', 'a'))], { upToDateAt: null, offset: '0_0' }));
    expect(readShapeState(db, 'device_types')).toMatchObject({ offset: '0_0', lastUpToDateAt: null, rowCount: 1 });
    apply(batch([change('insert', full('2', 'b'))], { offset: '0_inf' as Offset }));
    expect(readShapeState(db, 'device_types')).toMatchObject({
      offset: '0_inf',
      lastUpToDateAt: '2026-06-01T00:00:00.000Z',
      rowCount: 2,
    });
  });

  it('parked changes stay invisible until applied, then replay in order before the tail, with the offset', () => {
    const { apply, park } = tableApplier(db, device_types);
    apply(batch([change('insert', full('1', 'a')), change('insert', full('2', 'b'))]));
    park({
      changes: [change('update', { id: '1', name: 'a2', row_version: 2n })],
      refetch: false,
      handle: 'h1',
      offset: '12_0' as Offset,
    });
    park({
      changes: [change('delete', { id: '2' }), change('insert', full('3', 'c'))],
      refetch: false,
      handle: 'h1',
      offset: '13_0' as Offset,
    });
    // Readers still see the last applied batch; the stream resumes after the parked slices.
    expect(names()).toEqual([
      { id: '1', name: 'a', model: 'P3265' },
      { id: '2', name: 'b', model: 'P3265' },
    ]);
    expect(readShapeState(db, 'device_types')).toMatchObject({
      offset: '10_2',
      rowCount: 2,
      pending: { handle: 'h1', offset: '13_0', refetch: false },
    });
    apply(batch([change('update', { id: '3', name: 'c2', row_version: 2n })], { offset: '14_0' as Offset }));
    expect(names()).toEqual([
      { id: '1', name: 'a2', model: 'P3265' },
      { id: '3', name: 'c2', model: 'P3265' },
    ]);
    expect(readShapeState(db, 'device_types')).toMatchObject({ offset: '14_0', rowCount: 2, pending: null });
    expect(db.prepare('select count(*) from sync_pending').pluck().get()).toBe(0);
  });

  it('a parked refetch replaces the rows only when applied; unpark forgets parked changes', () => {
    const { apply, park, unpark } = tableApplier(db, device_types);
    apply(batch([change('insert', full('1', 'old'))]));
    park({
      changes: [change('insert', full('9', 'dead shape'))],
      refetch: false,
      handle: 'h1',
      offset: '11_0' as Offset,
    });
    unpark();
    expect(readShapeState(db, 'device_types')?.pending).toBeNull();
    park({ changes: [change('insert', full('2', 'new'))], refetch: true, handle: 'h2', offset: '0_0' as Offset });
    expect(names()).toEqual([{ id: '1', name: 'old', model: 'P3265' }]);
    apply(batch([change('insert', full('3', 'new'))], { handle: 'h2', offset: '0_inf' as Offset, bytes: 5 }));
    expect(names()).toEqual([
      { id: '2', name: 'new', model: 'P3265' },
      { id: '3', name: 'new', model: 'P3265' },
    ]);
    expect(readShapeState(db, 'device_types')).toMatchObject({ handle: 'h2', rowCount: 2, bytes: 5, pending: null });
  });

  it('a batch that fails part-way changes nothing, offset included', () => {
    const apply = tableApplier(db, device_types).apply;
    apply(batch([change('insert', full('1', 'kept'))]));
    expect(() =>
      apply(
        batch([change('delete', { id: '1' }), change('insert', { ...full('2', 'x'), name: null })], {
          refetch: true,
          offset: '99_0',
        }),
      ),
    ).toThrow(/device_types\.name: null in a NOT NULL column/);
    expect(names()).toEqual([{ id: '1', name: 'kept', model: 'P3265' }]);
    expect(readShapeState(db, 'device_types')?.offset).toBe('10_2');
  });

  it('a snapshot-end confirms the local edits its snapshot contains, with the rows it came with, parked or not', () => {
    const applier = tableApplier(db, device_types);
    applier.apply(batch([change('insert', full('1', 'a')), change('insert', full('2', 'b'))]));
    const writes = new LocalWrites(db);
    const mine1 = writes.update('device_types', { id: '1' }, { name: 'a mine' })!;
    const mine2 = writes.update('device_types', { id: '2' }, { name: 'b mine' })!;
    recordResults(db, [
      { id: mine1.mutationId, status: 'applied', txid: 1000 },
      { id: mine2.mutationId, status: 'applied', txid: 1003 },
    ]);
    const awaiting = () => db.prepare('select id from sync_outbox order by seq').pluck().all();
    const overlays = () => db.prepare('select id from local_device_types order by id').pluck().all();
    // A refetch: its snapshot holds 1000 (below xmin) but not 1003 (still running when it was taken).
    const snapshot = { xmin: '1001', xmax: '1008', xip_list: ['1003'] };
    const refetched = [change('insert', full('1', 'a mine')), change('insert', full('2', 'b'))];
    applier.park({ changes: refetched, refetch: true, handle: 'h2', offset: '0_0' as Offset, snapshot });
    expect(awaiting()).toEqual([mine1.mutationId, mine2.mutationId]);
    applier.apply(batch([], { refetch: false, handle: 'h2', offset: '0_inf' as Offset }));
    expect(awaiting()).toEqual([mine2.mutationId]);
    expect(overlays()).toEqual(['2']);
    expect(names()).toEqual([
      { id: '1', name: 'a mine', model: 'P3265' },
      { id: '2', name: 'b', model: 'P3265' },
    ]);
    // 1003 comes down the new shape's log by its txid.
    applier.apply(
      batch([{ ...change('update', { id: '2', name: 'b mine' }), headers: { operation: 'update', txids: [1003] } }], {
        handle: 'h2',
        offset: '20_0' as Offset,
      }),
    );
    expect(awaiting()).toEqual([]);
    expect(overlays()).toEqual([]);

    // Not parked: the snapshot confirms in the batch that brings it.
    const mine3 = writes.update('device_types', { id: '1' }, { name: 'a again' })!;
    recordResults(db, [{ id: mine3.mutationId, status: 'applied', txid: 1010 }]);
    applier.apply(
      batch([change('insert', full('1', 'a again'))], {
        refetch: true,
        handle: 'h3',
        offset: '0_inf' as Offset,
        snapshot: { xmin: '1011', xmax: '1011', xip_list: [] },
      }),
    );
    expect(awaiting()).toEqual([]);
  });
});
