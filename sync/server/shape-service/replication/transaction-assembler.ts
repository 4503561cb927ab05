/**
 * Turns the decoded pgoutput message sequence BEGIN, (RELATION | change)*, COMMIT into one
 * ReplicatedTransaction: rows keyed by column name, unchanged TOAST values filled in from the old
 * row, and the relations whose schema changed since they were last seen.
 */
import type { RelationRef, ReplicatedChange, ReplicatedTransaction, TextRow } from '../types.js';
import { PgoutputProtocolError, ReplicaIdentityNotFullError } from './errors.js';
import { UNCHANGED_TOAST, type OldTuple, type PgoutputMessage, type TupleData } from './pgoutput.js';
import { relationRef, type RelationRegistry, type RelationSchema } from './relations.js';

type OpenTransaction = { xid: number; lsn: bigint; changes: ReplicatedChange[] };

export class TransactionAssembler {
  private open: OpenTransaction | undefined;
  // Keyed by oid; Relation messages outside a transaction count towards the next one.
  private changedRelations = new Map<number, RelationRef>();

  constructor(private readonly relations: RelationRegistry) {}

  get inTransaction(): boolean {
    return this.open !== undefined;
  }

  /** Feeds one message in stream order; returns the transaction when the message completes one. */
  accept(message: PgoutputMessage): ReplicatedTransaction | undefined {
    switch (message.tag) {
      case 'begin':
        if (this.open) throw new PgoutputProtocolError(`BEGIN of xid ${message.xid} inside xid ${this.open.xid}.`);
        this.open = { xid: message.xid, lsn: message.finalLsn, changes: [] };
        return undefined;
      case 'commit':
        return this.commit(message.commitLsn);
      case 'relation':
        if (this.relations.record(message)) this.changedRelations.set(message.oid, relationRef(message));
        return undefined;
      case 'insert': {
        const relation = this.relations.get(message.relationOid);
        this.push({ kind: 'insert', relation: relationRef(relation), newRow: toRow(relation, message.newTuple) });
        return undefined;
      }
      case 'update': {
        const relation = this.relations.get(message.relationOid);
        const oldRow = fullOldRow(relation, message.old);
        const newRow = toRow(relation, message.newTuple, oldRow);
        this.push({ kind: 'update', relation: relationRef(relation), oldRow, newRow });
        return undefined;
      }
      case 'delete': {
        const relation = this.relations.get(message.relationOid);
        this.push({ kind: 'delete', relation: relationRef(relation), oldRow: fullOldRow(relation, message.old) });
        return undefined;
      }
      case 'truncate': {
        const relations = message.relationOids.map((oid) => relationRef(this.relations.get(oid)));
        this.push({ kind: 'truncate', relations });
        return undefined;
      }
      case 'type':
      case 'origin':
      case 'message':
        // Type messages only name custom types (values are text anyway); origins and logical
        // decoding messages carry nothing a shape needs.
        return undefined;
    }
  }

  private push(change: ReplicatedChange): void {
    if (!this.open) throw new PgoutputProtocolError(`A ${change.kind} arrived outside a transaction.`);
    this.open.changes.push(change);
  }

  private commit(commitLsn: bigint): ReplicatedTransaction {
    const open = this.open;
    if (!open) throw new PgoutputProtocolError(`COMMIT at ${commitLsn} without a BEGIN.`);
    if (open.lsn !== commitLsn) {
      throw new PgoutputProtocolError(`COMMIT LSN ${commitLsn} differs from its BEGIN's final LSN ${open.lsn}.`);
    }
    const transaction: ReplicatedTransaction = {
      xid: open.xid,
      lsn: open.lsn,
      changes: open.changes,
      changedRelations: [...this.changedRelations.values()],
    };
    this.open = undefined;
    this.changedRelations = new Map();
    return transaction;
  }
}

function fullOldRow(relation: RelationSchema, old: OldTuple | undefined): TextRow {
  if (!old || old.kind !== 'full') throw new ReplicaIdentityNotFullError(relationRef(relation));
  return toRow(relation, old.tuple);
}

/**
 * A tuple as column name → text. Null-prototype objects, so a column named `__proto__` is data.
 * `oldRow` supplies values pgoutput left out as unchanged TOAST.
 */
function toRow(relation: RelationSchema, tuple: TupleData, oldRow?: TextRow): TextRow {
  if (tuple.length !== relation.columns.length) {
    throw new PgoutputProtocolError(
      `Tuple with ${tuple.length} values for "${relation.schema}"."${relation.table}", which has ${relation.columns.length} columns.`,
    );
  }
  const row: Record<string, string | null> = Object.create(null);
  relation.columns.forEach(({ name }, i) => {
    const value = tuple[i]!;
    if (value !== UNCHANGED_TOAST) {
      row[name] = value;
      return;
    }
    const previous = oldRow?.[name];
    if (previous === undefined) {
      // REPLICA IDENTITY FULL logs old rows with TOAST values inlined, so this means it is not FULL.
      throw oldRow ? missingToastValue(relation, name) : new ReplicaIdentityNotFullError(relationRef(relation));
    }
    row[name] = previous;
  });
  return row;
}

const missingToastValue = (relation: RelationSchema, column: string) =>
  new PgoutputProtocolError(
    `Unchanged TOAST value of "${column}" in "${relation.schema}"."${relation.table}" is missing from the old row too.`,
  );
