/**
 * Decoding and assembly on hand-built pgoutput bytes: the cases a live server rarely produces
 * (xids above 2^31, key-only old rows, malformed input).
 */
import { describe, expect, it } from 'vitest';
import { PgoutputProtocolError, ReplicaIdentityNotFullError } from './errors.js';
import { decodePgoutputMessage, UNCHANGED_TOAST } from './pgoutput.js';
import { RelationRegistry } from './relations.js';
import { TransactionAssembler } from './transaction-assembler.js';
import { encodeStandbyStatusUpdate, parseWalSenderMessage } from './walsender-messages.js';

/** Minimal big-endian writer for building messages. */
class Bytes {
  private parts: Buffer[] = [];
  char(c: string) {
    this.parts.push(Buffer.from(c, 'latin1'));
    return this;
  }
  u8(n: number) {
    const b = Buffer.alloc(1);
    b.writeUInt8(n);
    this.parts.push(b);
    return this;
  }
  i16(n: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  u32(n: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.parts.push(b);
    return this;
  }
  i32(n: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  u64(n: bigint) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    this.parts.push(b);
    return this;
  }
  str(s: string) {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.alloc(1));
    return this;
  }
  /** TupleData: strings are text values, null is NULL, UNCHANGED_TOAST is 'u'. */
  tuple(values: readonly (string | null | typeof UNCHANGED_TOAST)[]) {
    this.i16(values.length);
    for (const v of values) {
      if (v === null) this.char('n');
      else if (v === UNCHANGED_TOAST) this.char('u');
      else {
        const text = Buffer.from(v, 'utf8');
        this.char('t').u32(text.length);
        this.parts.push(text);
      }
    }
    return this;
  }
  done() {
    return Buffer.concat(this.parts);
  }
}

const OID = 16_384;
const begin = (lsn: bigint, xid: number) => new Bytes().char('B').u64(lsn).u64(0n).u32(xid).done();
const commit = (lsn: bigint) =>
  new Bytes()
    .char('C')
    .u8(0)
    .u64(lsn)
    .u64(lsn + 40n)
    .u64(0n)
    .done();
const relation = (columns: readonly [string, number][], table = 'docs', identity = 'f') => {
  const b = new Bytes().char('R').u32(OID).str('').str(table).char(identity).i16(columns.length);
  for (const [name, type] of columns) b.u8(1).str(name).u32(type).i32(-1);
  return b.done();
};
const COLUMNS: [string, number][] = [
  ['id', 23],
  ['body', 25],
];

function assemble(messages: Buffer[]) {
  const assembler = new TransactionAssembler(new RelationRegistry());
  const results = messages.map((m) => assembler.accept(decodePgoutputMessage(m)));
  return results.filter((r) => r !== undefined);
}

describe('decodePgoutputMessage', () => {
  it('reads BEGIN xids as unsigned 32-bit numbers and LSNs as bigints', () => {
    expect(decodePgoutputMessage(begin(0x1_0000_0010n, 0xfffffff0))).toEqual({
      tag: 'begin',
      finalLsn: 0x1_0000_0010n,
      commitTime: 0n,
      xid: 4_294_967_280,
    });
  });

  it('reads relations, naming pg_catalog for the empty namespace', () => {
    expect(decodePgoutputMessage(relation(COLUMNS))).toMatchObject({
      tag: 'relation',
      oid: OID,
      schema: 'pg_catalog',
      table: 'docs',
      replicaIdentity: 'full',
      columns: [
        { name: 'id', typeOid: 23, typeMod: -1, isKey: true },
        { name: 'body', typeOid: 25, typeMod: -1, isKey: true },
      ],
    });
  });

  it('fails with PgoutputProtocolError on truncated or unknown messages', () => {
    expect(() => decodePgoutputMessage(begin(1n, 1).subarray(0, 10))).toThrow(PgoutputProtocolError);
    expect(() => decodePgoutputMessage(Buffer.from('S'))).toThrow(/protocol version 1/);
    const binary = new Bytes().char('I').u32(OID).char('N').i16(1).char('b').u32(0).done();
    expect(() => decodePgoutputMessage(binary)).toThrow(/binary/);
  });
});

describe('TransactionAssembler', () => {
  it('fills unchanged TOAST values of the new row from the old row', () => {
    const update = new Bytes()
      .char('U')
      .u32(OID)
      .char('O')
      .tuple(['1', 'long text'])
      .char('N')
      .tuple(['2', UNCHANGED_TOAST])
      .done();
    const [tx] = assemble([begin(100n, 7), relation(COLUMNS), update, commit(100n)]);
    expect(tx).toMatchObject({ xid: 7, lsn: 100n, changedRelations: [] });
    expect(tx!.changes[0]).toMatchObject({
      kind: 'update',
      oldRow: { id: '1', body: 'long text' },
      newRow: { id: '2', body: 'long text' },
    });
  });

  it('keeps a column named __proto__ as data', () => {
    const insert = new Bytes().char('I').u32(OID).char('N').tuple(['x']).done();
    const [tx] = assemble([begin(1n, 1), relation([['__proto__', 25]]), insert, commit(1n)]);
    const change = tx!.changes[0]!;
    expect(change.kind === 'insert' && Object.keys(change.newRow)).toEqual(['__proto__']);
  });

  it('refuses updates and deletes without the full old row', () => {
    const keyOnlyDelete = new Bytes().char('D').u32(OID).char('K').tuple(['1', null]).done();
    expect(() => assemble([begin(1n, 1), relation(COLUMNS, 'docs', 'd'), keyOnlyDelete])).toThrow(
      ReplicaIdentityNotFullError,
    );
    const newOnlyUpdate = new Bytes().char('U').u32(OID).char('N').tuple(['1', UNCHANGED_TOAST]).done();
    expect(() => assemble([begin(1n, 1), relation(COLUMNS, 'docs', 'd'), newOnlyUpdate])).toThrow(
      ReplicaIdentityNotFullError,
    );
  });

  it('reports a relation whose columns changed, once, in the transaction that carries it', () => {
    const insert = (values: string[]) => new Bytes().char('I').u32(OID).char('N').tuple(values).done();
    const txs = assemble([
      begin(1n, 1),
      relation(COLUMNS),
      insert(['1', 'a']),
      commit(1n),
      begin(2n, 2),
      relation([...COLUMNS, ['extra', 23]]),
      insert(['2', 'b', '3']),
      relation([...COLUMNS, ['extra', 20]]),
      insert(['3', 'c', '4']),
      commit(2n),
      begin(3n, 3),
      relation([...COLUMNS, ['extra', 20]]), // resent unchanged (e.g. after a reconnect)
      insert(['4', 'd', '5']),
      commit(3n),
    ]);
    expect(txs.map((tx) => tx.changedRelations)).toEqual([[], [{ oid: OID, schema: 'pg_catalog', table: 'docs' }], []]);
  });

  it('fails on changes outside a transaction, unknown relations and mismatched COMMIT', () => {
    const insert = new Bytes().char('I').u32(OID).char('N').tuple(['1', 'a']).done();
    expect(() => assemble([relation(COLUMNS), insert])).toThrow(/outside a transaction/);
    expect(() => assemble([begin(1n, 1), insert])).toThrow(/before its Relation message/);
    expect(() => assemble([begin(1n, 1), commit(2n)])).toThrow(PgoutputProtocolError);
    expect(() => assemble([begin(1n, 1), relation([['id', 23]]), insert])).toThrow(/2 values/);
  });
});

describe('walsender messages', () => {
  it('parses keepalives and XLogData', () => {
    const keepalive = new Bytes().char('k').u64(0x1234n).u64(0n).u8(1).done();
    expect(parseWalSenderMessage(keepalive)).toEqual({ kind: 'keepalive', walEnd: 0x1234n, replyRequested: true });
    const xlog = Buffer.concat([new Bytes().char('w').u64(1n).u64(2n).u64(0n).done(), begin(1n, 1)]);
    expect(parseWalSenderMessage(xlog)).toMatchObject({ kind: 'xlog-data', walStart: 1n, walEnd: 2n });
    expect(() => parseWalSenderMessage(Buffer.from('x'))).toThrow(PgoutputProtocolError);
  });

  it('encodes standby status updates with the position as written, flushed and applied', () => {
    const message = encodeStandbyStatusUpdate(0x1_0000_0001n, false, Date.UTC(2000, 0, 1, 0, 0, 1));
    expect(message.length).toBe(34);
    expect(message.toString('latin1', 0, 1)).toBe('r');
    for (const offset of [1, 9, 17]) expect(message.readBigUInt64BE(offset)).toBe(0x1_0000_0001n);
    expect(message.readBigInt64BE(25)).toBe(1_000_000n);
    expect(message.readUInt8(33)).toBe(0);
  });
});
