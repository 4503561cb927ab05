/**
 * The JSON messages of a shape log body (protocol §9) and Electric's 400 body (§8).
 */
import type { FieldErrors, LogOffset, RelationRef, TextRow } from '../types.js';
import { isReplicationOffset } from './offset.js';

export type Operation = 'insert' | 'update' | 'delete';

/** What a message needs of a relation; a RelationRef fits. */
export type RelationName = Pick<RelationRef, 'schema' | 'table'>;

export type SnapshotInsertMessage = {
  readonly headers: { readonly operation: 'insert'; readonly relation: readonly [string, string] };
  readonly key: string;
  readonly value: TextRow;
};

export type ReplicatedChangeMessage = {
  readonly headers: {
    readonly operation: Operation;
    readonly relation: readonly [string, string];
    /** The entry's tx (commit LSN) as a decimal string. */
    readonly lsn: string;
    readonly op_position: number;
    /** The pgoutput BEGIN xid, what clients match writes against (§19). */
    readonly txids: readonly [number];
    /** Present on the transaction's last change for this shape. */
    readonly last?: true;
    /** On the delete half of a primary-key change: the row's new key. */
    readonly key_change_to?: string;
    /** On the insert half of a primary-key change: the row's old key. */
    readonly key_change_from?: string;
  };
  readonly key: string;
  readonly value: TextRow;
  /** replica=full updates: the old values of the changed columns. */
  readonly old_value?: TextRow;
};

export type UpToDateMessage = {
  readonly headers: { readonly control: 'up-to-date'; readonly global_last_seen_lsn: string };
};

export type MustRefetchMessage = { readonly headers: { readonly control: 'must-refetch' } };

export type SnapshotEndMessage = {
  readonly headers: {
    readonly control: 'snapshot-end';
    readonly xmin: string;
    readonly xmax: string;
    readonly xip_list: readonly string[];
  };
};

export type ControlMessage = UpToDateMessage | MustRefetchMessage | SnapshotEndMessage;

export type ShapeLogMessage = SnapshotInsertMessage | ReplicatedChangeMessage | ControlMessage;

export type InvalidRequestBody = { readonly message: 'Invalid request'; readonly errors: FieldErrors };

/**
 * A row's key: `"<schema>"."<table>"/"<v1>"/"<v2>"…`. `/` is doubled inside values and names and
 * `.` inside names, so the separators stay unambiguous; quotes are left as they are. Each value
 * is quoted so an empty string is `""` rather than a bare `//`; NULL (only possible for tables
 * without a primary key, whose key is every column) is a bare `_`.
 */
export function buildKey(schema: string, table: string, pkValues: readonly (string | null)[]): string {
  const prefix = `"${escapeKeyName(schema)}"."${escapeKeyName(table)}"`;
  return prefix + pkValues.map((value) => (value === null ? '/_' : `/"${value.replaceAll('/', '//')}"`)).join('');
}

function escapeKeyName(name: string): string {
  return name.replaceAll('/', '//').replaceAll('.', '..');
}

/** A row of the initial snapshot: always an insert, without lsn or txids. */
export function snapshotInsert(relation: RelationName, key: string, value: TextRow): SnapshotInsertMessage {
  return { headers: { operation: 'insert', relation: [relation.schema, relation.table] }, key, value };
}

export type ReplicatedChangeInput = {
  readonly operation: Operation;
  readonly relation: RelationName;
  /** The entry's own offset: commit LSN and position in the transaction. */
  readonly offset: LogOffset;
  /** The transaction's 32-bit xid. */
  readonly xid: number;
  readonly key: string;
  readonly value: TextRow;
  readonly oldValue?: TextRow;
  readonly last?: boolean;
  readonly keyChangeTo?: string;
  readonly keyChangeFrom?: string;
};

/** A change from the replication stream. Throws on offsets or xids no transaction can have. */
export function replicatedChange(input: ReplicatedChangeInput): ReplicatedChangeMessage {
  const { offset, xid } = input;
  if (!isReplicationOffset(offset) || offset.op === 'inf') {
    throw new RangeError('a replicated change needs an offset with a commit LSN and a numeric op');
  }
  if (!Number.isInteger(xid) || xid < 0 || xid > 0xffff_ffff) throw new RangeError(`not a 32-bit xid: ${xid}`);
  return {
    headers: {
      operation: input.operation,
      relation: [input.relation.schema, input.relation.table],
      lsn: offset.tx.toString(),
      op_position: offset.op,
      txids: [xid],
      ...(input.last && { last: true }),
      ...(input.keyChangeTo !== undefined && { key_change_to: input.keyChangeTo }),
      ...(input.keyChangeFrom !== undefined && { key_change_from: input.keyChangeFrom }),
    },
    key: input.key,
    value: input.value,
    ...(input.oldValue !== undefined && { old_value: input.oldValue }),
  };
}

/** Closes a batch that reaches the head of the log. */
export function upToDate(globalLastSeenLsn: bigint): UpToDateMessage {
  return { headers: { control: 'up-to-date', global_last_seen_lsn: globalLastSeenLsn.toString() } };
}

/** The body of a 409 (as `[mustRefetch()]`). */
export function mustRefetch(): MustRefetchMessage {
  return { headers: { control: 'must-refetch' } };
}

/** The last item of an initial snapshot: the snapshot's pg_current_snapshot(), as decimal strings. */
export function snapshotEnd(
  xmin: bigint | string,
  xmax: bigint | string,
  xipList: readonly (bigint | string)[],
): SnapshotEndMessage {
  return {
    headers: {
      control: 'snapshot-end',
      xmin: transactionId(xmin),
      xmax: transactionId(xmax),
      xip_list: xipList.map(transactionId),
    },
  };
}

function transactionId(value: bigint | string): string {
  const text = value.toString();
  if (!/^\d+$/.test(text)) throw new RangeError(`not a transaction id: ${text}`);
  return text;
}

/** A shape log response body: the JSON array of messages. */
export function encodeBody(messages: readonly ShapeLogMessage[]): string {
  return JSON.stringify(messages);
}

/** The same, for messages already encoded (snapshot rows come out of Postgres as JSON text). */
export function joinEncodedMessages(encoded: readonly string[]): string {
  return `[${encoded.join(',')}]`;
}

/** Electric's 400 body for parameter validation errors. */
export function invalidRequest(errors: FieldErrors): InvalidRequestBody {
  return { message: 'Invalid request', errors };
}
