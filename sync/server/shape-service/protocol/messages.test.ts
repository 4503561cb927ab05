import { describe, expect, it } from 'vitest';
import {
  buildKey,
  encodeBody,
  invalidRequest,
  joinEncodedMessages,
  mustRefetch,
  replicatedChange,
  snapshotEnd,
  snapshotInsert,
  upToDate,
} from './messages.js';

describe('buildKey', () => {
  it('quotes schema, table and every value', () => {
    expect(buildKey('public', 'todos', ['7f1c'])).toBe('"public"."todos"/"7f1c"');
    expect(buildKey('hello', 'world', ['test', 'x'])).toBe('"hello"."world"/"test"/"x"');
  });

  it('doubles / inside values', () => {
    expect(buildKey('hello', 'world', ['test/test', 'test'])).toBe('"hello"."world"/"test//test"/"test"');
    expect(buildKey('s', 't', ['/'])).toBe('"s"."t"/"//"');
  });

  it('keeps empty strings distinct from NULL and from each other', () => {
    expect(buildKey('a', 'b', ['', ''])).toBe('"a"."b"/""/""');
    expect(buildKey('hello', 'world', ['1', null, '2'])).toBe('"hello"."world"/"1"/_/"2"');
    expect(buildKey('a', 'b', ['_'])).not.toBe(buildKey('a', 'b', [null]));
  });

  it('doubles / and . inside schema and table names, and leaves quotes alone', () => {
    expect(buildKey('a"."b', 'c', [''])).toBe('"a".."b"."c"/""');
    expect(buildKey('a', 'b"."c', [''])).toBe('"a"."b".."c"/""');
    expect(buildKey('a', 'b"/"', [''])).toBe('"a"."b"//""/""');
    expect(buildKey('electric_test', 'issues for me', ['x'])).toBe('"electric_test"."issues for me"/"x"');
  });

  it('keeps keys apart that naive joining would merge', () => {
    expect(buildKey('s', 't', ['a/', 'b'])).not.toBe(buildKey('s', 't', ['a', '/b']));
    expect(buildKey('a.b', 'c', ['x'])).not.toBe(buildKey('a', 'b.c', ['x']));
  });
});

describe('control messages', () => {
  it('up-to-date carries the LSN as a decimal string, exactly', () => {
    expect(upToDate(9007199254740993n)).toEqual({
      headers: { control: 'up-to-date', global_last_seen_lsn: '9007199254740993' },
    });
    expect(encodeBody([upToDate(0n)])).toBe('[{"headers":{"control":"up-to-date","global_last_seen_lsn":"0"}}]');
  });

  it('must-refetch is a bare control message', () => {
    expect(encodeBody([mustRefetch()])).toBe('[{"headers":{"control":"must-refetch"}}]');
  });

  it('snapshot-end writes every id as a string', () => {
    expect(snapshotEnd(4294967396n, '4294967400', [4294967397n, '4294967398'])).toEqual({
      headers: {
        control: 'snapshot-end',
        xmin: '4294967396',
        xmax: '4294967400',
        xip_list: ['4294967397', '4294967398'],
      },
    });
    expect(snapshotEnd('5', '5', []).headers.xip_list).toEqual([]);
    expect(() => snapshotEnd('5 ', '6', [])).toThrow(RangeError);
    expect(() => snapshotEnd(-1n, '6', [])).toThrow(RangeError);
  });
});

describe('change messages', () => {
  const relation = { oid: 16384, schema: 'public', table: 'todos' };

  it('snapshot rows are inserts without lsn or txids', () => {
    const message = snapshotInsert(relation, '"public"."todos"/"1"', { id: '1', title: null });
    expect(message).toEqual({
      headers: { operation: 'insert', relation: ['public', 'todos'] },
      key: '"public"."todos"/"1"',
      value: { id: '1', title: null },
    });
  });

  it('replicated changes carry lsn as a string, op_position as a number and the xid in txids', () => {
    const message = replicatedChange({
      operation: 'update',
      relation,
      offset: { tx: 9007199254740993n, op: 4 },
      xid: 4294967295,
      key: 'k',
      value: { id: '1', done: 't' },
      oldValue: { done: 'f' },
      last: true,
    });
    expect(message).toEqual({
      headers: {
        operation: 'update',
        relation: ['public', 'todos'],
        lsn: '9007199254740993',
        op_position: 4,
        txids: [4294967295],
        last: true,
      },
      key: 'k',
      value: { id: '1', done: 't' },
      old_value: { done: 'f' },
    });
    expect(JSON.parse(encodeBody([message]))[0].headers.txids).toEqual([4294967295]);
  });

  it('omits last, old_value and key-change headers unless given', () => {
    const message = replicatedChange({
      operation: 'insert',
      relation,
      offset: { tx: 10n, op: 0 },
      xid: 7,
      key: 'k',
      value: {},
      last: false,
    });
    expect(Object.keys(message)).toEqual(['headers', 'key', 'value']);
    expect(Object.keys(message.headers)).toEqual(['operation', 'relation', 'lsn', 'op_position', 'txids']);
  });

  it('marks both halves of a primary-key change', () => {
    const remove = replicatedChange({
      operation: 'delete',
      relation,
      offset: { tx: 10n, op: 2 },
      xid: 7,
      key: 'old',
      value: { id: '1' },
      keyChangeTo: 'new',
    });
    const insert = replicatedChange({
      operation: 'insert',
      relation,
      offset: { tx: 10n, op: 3 },
      xid: 7,
      key: 'new',
      value: { id: '2' },
      keyChangeFrom: 'old',
      last: true,
    });
    expect(remove.headers.key_change_to).toBe('new');
    expect(insert.headers).toMatchObject({ key_change_from: 'old', op_position: 3, last: true });
  });

  it('refuses offsets and xids no replicated transaction can have', () => {
    const base = { operation: 'insert', relation, xid: 1, key: 'k', value: {} } as const;
    expect(() => replicatedChange({ ...base, offset: { tx: 0n, op: 3 } })).toThrow(RangeError);
    expect(() => replicatedChange({ ...base, offset: { tx: -1n, op: 0 } })).toThrow(RangeError);
    expect(() => replicatedChange({ ...base, offset: { tx: 5n, op: 'inf' } })).toThrow(RangeError);
    expect(() => replicatedChange({ ...base, offset: { tx: 5n, op: 0 }, xid: 2 ** 32 })).toThrow(RangeError);
    expect(() => replicatedChange({ ...base, offset: { tx: 5n, op: 0 }, xid: -1 })).toThrow(RangeError);
  });
});

describe('bodies', () => {
  it('encodes a JSON array in order', () => {
    const body = encodeBody([snapshotInsert({ schema: 's', table: 't' }, 'k', { a: 'x"y' }), upToDate(12n)]);
    expect(JSON.parse(body)).toEqual([
      { headers: { operation: 'insert', relation: ['s', 't'] }, key: 'k', value: { a: 'x"y' } },
      { headers: { control: 'up-to-date', global_last_seen_lsn: '12' } },
    ]);
    expect(encodeBody([])).toBe('[]');
  });

  it('joins pre-encoded messages into the same array', () => {
    const encoded = [
      JSON.stringify(snapshotInsert({ schema: 's', table: 't' }, 'k', {})),
      JSON.stringify(mustRefetch()),
    ];
    expect(joinEncodedMessages(encoded)).toBe(
      encodeBody([snapshotInsert({ schema: 's', table: 't' }, 'k', {}), mustRefetch()]),
    );
    expect(joinEncodedMessages([])).toBe('[]');
  });

  it('builds Electric’s 400 body', () => {
    expect(JSON.stringify(invalidRequest({ where: ['At location 17: syntax error at or near "x"'] }))).toBe(
      '{"message":"Invalid request","errors":{"where":["At location 17: syntax error at or near \\"x\\""]}}',
    );
  });
});
