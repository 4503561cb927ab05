/**
 * The relations (tables) a stream has been told about by pgoutput Relation messages. Postgres sends
 * one before a relation's first change on a connection and again after its schema changes, so a
 * Relation message that differs from the recorded one signals a schema change.
 */
import type { RelationRef } from '../types.js';
import { PgoutputProtocolError } from './errors.js';
import type { RelationColumn, ReplicaIdentity } from './pgoutput.js';

export type RelationSchema = {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  readonly replicaIdentity: ReplicaIdentity;
  readonly columns: readonly RelationColumn[];
};

export const relationRef = ({ oid, schema, table }: RelationSchema): RelationRef => ({ oid, schema, table });

/** Differences that change what shapes on the relation contain: names, column set, types. */
function changesShapes(before: RelationSchema, after: RelationSchema): boolean {
  if (before.schema !== after.schema || before.table !== after.table) return true;
  if (before.columns.length !== after.columns.length) return true;
  return before.columns.some((column, i) => {
    const other = after.columns[i]!;
    return column.name !== other.name || column.typeOid !== other.typeOid || column.typeMod !== other.typeMod;
  });
}

export class RelationRegistry {
  private readonly byOid = new Map<number, RelationSchema>();

  /** `known` seeds the registry, e.g. with a previous stream's relations, to detect changes across reconnects. */
  constructor(known: Iterable<RelationSchema> = []) {
    for (const relation of known) this.byOid.set(relation.oid, relation);
  }

  /** Records a Relation message; true when it differs from the version recorded before. */
  record(relation: RelationSchema): boolean {
    const previous = this.byOid.get(relation.oid);
    this.byOid.set(relation.oid, relation);
    return previous !== undefined && changesShapes(previous, relation);
  }

  get(oid: number): RelationSchema {
    const relation = this.byOid.get(oid);
    if (!relation)
      throw new PgoutputProtocolError(`Change for relation oid ${oid} arrived before its Relation message.`);
    return relation;
  }

  all(): RelationSchema[] {
    return [...this.byOid.values()];
  }
}
