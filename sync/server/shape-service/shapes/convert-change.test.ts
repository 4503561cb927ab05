import { describe, expect, it } from 'vitest';
import type { ReplicatedChange, TableInfo } from '../types.js';
import { convertChange, type ShapeView } from './convert-change.js';

const table: TableInfo = {
  oid: 1,
  schema: 'public',
  name: 'items',
  pk: ['id'],
  columns: ['id', 'title', 'status', 'notes'].map((name) => ({
    name,
    typname: 'text',
    typeOid: 25,
    dims: 0,
    typtype: 'b',
    notNull: name === 'id',
    typeMod: -1,
    ...(name === 'id' ? { pkIndex: 0 } : {}),
  })),
};
const relation = { oid: 1, schema: 'public', table: 'items' };
const all = ['id', 'title', 'status', 'notes'];
const view = (replica: 'default' | 'full', columns = all): ShapeView => ({ table, columns, replica });
const both = { old: true, new: true };
const row = (id: string, title: string, status = 'open', notes: string | null = null) => ({ id, title, status, notes });
const update = (o: ReturnType<typeof row>, n: ReturnType<typeof row>): ReplicatedChange => ({
  kind: 'update',
  relation,
  oldRow: o,
  newRow: n,
});

describe('convertChange', () => {
  it('inserts carry the selected columns; deletes carry the key (default) or the old row (full)', () => {
    const ins: ReplicatedChange = { kind: 'insert', relation, newRow: row('1', 'a') };
    expect(convertChange(view('default', ['id', 'title']), ins, both)).toEqual([
      { operation: 'insert', opShift: 0, key: '"public"."items"/"1"', value: { id: '1', title: 'a' } },
    ]);
    const del: ReplicatedChange = { kind: 'delete', relation, oldRow: row('1', 'a') };
    expect(convertChange(view('default'), del, both)[0]!.value).toEqual({ id: '1' });
    expect(convertChange(view('full'), del, both)[0]!.value).toEqual(row('1', 'a'));
  });

  it('updates: default sends key + changed columns; full sends the new row and old values of changed columns', () => {
    const c = update(row('1', 'a', 'open'), row('1', 'b', 'open'));
    expect(convertChange(view('default'), c, both)).toEqual([
      { operation: 'update', opShift: 0, key: '"public"."items"/"1"', value: { id: '1', title: 'b' } },
    ]);
    expect(convertChange(view('full'), c, both)).toEqual([
      { operation: 'update', opShift: 0, key: '"public"."items"/"1"', value: row('1', 'b'), oldValue: { title: 'a' } },
    ]);
  });

  it('drops updates that change no selected column', () => {
    const c = update(row('1', 'a', 'open', 'x'), row('1', 'a', 'open', 'y'));
    expect(convertChange(view('default', ['id', 'title']), c, both)).toEqual([]);
    expect(convertChange(view('default'), c, both)).toHaveLength(1);
  });

  it('rows moving into or out of the where become inserts or deletes; rows outside it vanish', () => {
    const c = update(row('1', 'a', 'open'), row('1', 'a', 'done'));
    expect(convertChange(view('default'), c, { old: false, new: true })).toEqual([
      { operation: 'insert', opShift: 0, key: '"public"."items"/"1"', value: row('1', 'a', 'done') },
    ]);
    expect(convertChange(view('default'), c, { old: true, new: false })).toEqual([
      { operation: 'delete', opShift: 0, key: '"public"."items"/"1"', value: { id: '1' } },
    ]);
    expect(convertChange(view('full'), c, { old: false, new: false })).toEqual([]);
  });

  it('a primary-key change splits into a delete and an insert that point at each other', () => {
    const c = update(row('1', 'a'), row('2/x', 'a'));
    expect(convertChange(view('default'), c, both)).toEqual([
      {
        operation: 'delete',
        opShift: 0,
        key: '"public"."items"/"1"',
        value: { id: '1' },
        keyChangeTo: '"public"."items"/"2//x"',
      },
      {
        operation: 'insert',
        opShift: 1,
        key: '"public"."items"/"2//x"',
        value: row('2/x', 'a'),
        keyChangeFrom: '"public"."items"/"1"',
      },
    ]);
  });
});
