/**
 * Decoder for pgoutput logical replication messages, protocol version 1 with text tuples
 * (https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html).
 * Values stay exactly as Postgres rendered them; nothing is parsed into JS types.
 */
import { ByteReader } from './byte-reader.js';
import { PgoutputProtocolError } from './errors.js';

/** Marks a TOASTed value the update did not change, so pgoutput did not send it. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');

/** One tuple's column values in relation column order: text, SQL NULL, or unchanged TOAST. */
export type TupleData = readonly (string | null | typeof UNCHANGED_TOAST)[];

export type RelationColumn = {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
  /** Part of the replica identity key (every column, under REPLICA IDENTITY FULL). */
  readonly isKey: boolean;
};

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

/** An update's or delete's view of the old row: the whole row, or only its replica identity key. */
export type OldTuple = { readonly kind: 'full' | 'key'; readonly tuple: TupleData };

export type PgoutputMessage =
  | { readonly tag: 'begin'; readonly finalLsn: bigint; readonly commitTime: bigint; readonly xid: number }
  | {
      readonly tag: 'commit';
      readonly commitLsn: bigint;
      readonly endLsn: bigint;
      readonly commitTime: bigint;
    }
  | { readonly tag: 'origin'; readonly originLsn: bigint; readonly name: string }
  | {
      readonly tag: 'relation';
      readonly oid: number;
      readonly schema: string;
      readonly table: string;
      readonly replicaIdentity: ReplicaIdentity;
      readonly columns: readonly RelationColumn[];
    }
  | { readonly tag: 'type'; readonly oid: number; readonly schema: string; readonly name: string }
  | { readonly tag: 'insert'; readonly relationOid: number; readonly newTuple: TupleData }
  | {
      readonly tag: 'update';
      readonly relationOid: number;
      readonly old: OldTuple | undefined;
      readonly newTuple: TupleData;
    }
  | { readonly tag: 'delete'; readonly relationOid: number; readonly old: OldTuple }
  | {
      readonly tag: 'truncate';
      readonly relationOids: readonly number[];
      readonly cascade: boolean;
      readonly restartIdentity: boolean;
    }
  | { readonly tag: 'message'; readonly transactional: boolean; readonly prefix: string; readonly content: Buffer };

const REPLICA_IDENTITIES: Record<string, ReplicaIdentity> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

/** Decodes one pgoutput message (the payload of an XLogData message). */
export function decodePgoutputMessage(payload: Buffer): PgoutputMessage {
  const reader = new ByteReader(payload);
  const tag = String.fromCharCode(reader.uint8());
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: reader.uint64(), commitTime: reader.int64(), xid: reader.uint32() };
    case 'C':
      reader.uint8(); // flags, unused
      return { tag: 'commit', commitLsn: reader.uint64(), endLsn: reader.uint64(), commitTime: reader.int64() };
    case 'O':
      return { tag: 'origin', originLsn: reader.uint64(), name: reader.cstring() };
    case 'R':
      return decodeRelation(reader);
    case 'Y':
      return { tag: 'type', oid: reader.uint32(), schema: reader.cstring(), name: reader.cstring() };
    case 'I': {
      const relationOid = reader.uint32();
      expectSubmessage(reader, 'N', 'insert');
      return { tag: 'insert', relationOid, newTuple: decodeTuple(reader) };
    }
    case 'U': {
      const relationOid = reader.uint32();
      let marker = String.fromCharCode(reader.uint8());
      let old: OldTuple | undefined;
      if (marker === 'K' || marker === 'O') {
        old = { kind: marker === 'O' ? 'full' : 'key', tuple: decodeTuple(reader) };
        marker = String.fromCharCode(reader.uint8());
      }
      if (marker !== 'N') throw unexpectedSubmessage(marker, 'update');
      return { tag: 'update', relationOid, old, newTuple: decodeTuple(reader) };
    }
    case 'D': {
      const relationOid = reader.uint32();
      const marker = String.fromCharCode(reader.uint8());
      if (marker !== 'K' && marker !== 'O') throw unexpectedSubmessage(marker, 'delete');
      return { tag: 'delete', relationOid, old: { kind: marker === 'O' ? 'full' : 'key', tuple: decodeTuple(reader) } };
    }
    case 'T': {
      const count = reader.uint32();
      const options = reader.uint8();
      const relationOids = Array.from({ length: count }, () => reader.uint32());
      return { tag: 'truncate', relationOids, cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0 };
    }
    case 'M': {
      const flags = reader.uint8();
      reader.uint64(); // message LSN
      const prefix = reader.cstring();
      return { tag: 'message', transactional: (flags & 1) !== 0, prefix, content: reader.bytes(reader.uint32()) };
    }
    default:
      // Stream (S, E, c, A) and two-phase messages only exist in protocol versions above 1.
      throw new PgoutputProtocolError(
        `Unexpected pgoutput message type "${tag}"; this decoder speaks protocol version 1 without streaming.`,
      );
  }
}

function decodeRelation(reader: ByteReader): PgoutputMessage {
  const oid = reader.uint32();
  // pgoutput sends an empty namespace for pg_catalog.
  const schema = reader.cstring() || 'pg_catalog';
  const table = reader.cstring();
  const identityCode = String.fromCharCode(reader.uint8());
  const replicaIdentity = REPLICA_IDENTITIES[identityCode];
  if (!replicaIdentity) throw new PgoutputProtocolError(`Unknown replica identity "${identityCode}" for ${table}.`);
  const columnCount = reader.int16();
  const columns = Array.from({ length: columnCount }, (): RelationColumn => {
    const flags = reader.uint8();
    return { isKey: (flags & 1) !== 0, name: reader.cstring(), typeOid: reader.uint32(), typeMod: reader.int32() };
  });
  return { tag: 'relation', oid, schema, table, replicaIdentity, columns };
}

function decodeTuple(reader: ByteReader): TupleData {
  const count = reader.int16();
  const values: (string | null | typeof UNCHANGED_TOAST)[] = [];
  for (let i = 0; i < count; i++) {
    const kind = String.fromCharCode(reader.uint8());
    if (kind === 't') values.push(reader.text(reader.uint32()));
    else if (kind === 'n') values.push(null);
    else if (kind === 'u') values.push(UNCHANGED_TOAST);
    else if (kind === 'b') {
      throw new PgoutputProtocolError('Received a binary tuple value; start replication without the binary option.');
    } else throw new PgoutputProtocolError(`Unknown tuple value kind "${kind}".`);
  }
  return values;
}

function expectSubmessage(reader: ByteReader, expected: string, message: string): void {
  const marker = String.fromCharCode(reader.uint8());
  if (marker !== expected) throw unexpectedSubmessage(marker, message);
}

const unexpectedSubmessage = (marker: string, message: string) =>
  new PgoutputProtocolError(`Unexpected tuple marker "${marker}" in a pgoutput ${message} message.`);
