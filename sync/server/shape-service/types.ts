/**
 * The shape service's internal contracts: what the protocol layer, the where-clause validator,
 * the replication consumer, the shape log storage and the HTTP server exchange. General, not
 * specific to Fieldline's tables: any table with a primary key, in any schema.
 */

/** A position in a shape log. `-1` is "before everything"; snapshot chunks use tx = 0. */
export type LogOffset = { readonly tx: bigint; readonly op: number | 'inf' };

/** One column as the `electric-schema` header and the where-clause validator need it. */
export type ColumnInfo = {
  readonly name: string;
  /** pg_type.typname of the column, or of the element type for arrays. */
  readonly typname: string;
  readonly typeOid: number;
  /** attndims (0 for scalars); for arrays without declared dims, 1. */
  readonly dims: number;
  /** pg_type.typtype of the (element) type: 'b' base, 'e' enum, 'd' domain, 'c' composite, 'r' range … */
  readonly typtype: string;
  readonly notNull: boolean;
  /** Position in the primary key (0-based), when part of it. */
  readonly pkIndex?: number;
  /** atttypmod, -1 when none. */
  readonly typeMod: number;
  /** A generated column: pgoutput (before PG 18 with publish_generated_columns) never sends its value. */
  readonly generated?: boolean;
};

export type TableInfo = {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** In attribute order. */
  readonly columns: readonly ColumnInfo[];
  /** Primary key column names in key order (empty for tables without one). */
  readonly pk: readonly string[];
};

/** Column values as Postgres's text output format; null for SQL NULL. */
export type TextRow = Record<string, string | null>;

export type RelationRef = { readonly oid: number; readonly schema: string; readonly table: string };

export type ReplicatedChange =
  | { readonly kind: 'insert'; readonly relation: RelationRef; readonly newRow: TextRow }
  | { readonly kind: 'update'; readonly relation: RelationRef; readonly oldRow: TextRow; readonly newRow: TextRow }
  | { readonly kind: 'delete'; readonly relation: RelationRef; readonly oldRow: TextRow }
  | { readonly kind: 'truncate'; readonly relations: readonly RelationRef[] };

/** One committed transaction from logical replication, whole. */
export type ReplicatedTransaction = {
  /** The 32-bit xid from pgoutput BEGIN (what clients match in `txids`). */
  readonly xid: number;
  /** The commit LSN (pgoutput BEGIN final_lsn) as a 64-bit integer: the `tx` part of its offsets. */
  readonly lsn: bigint;
  readonly changes: readonly ReplicatedChange[];
  /**
   * Relations whose column set or types differ from what this stream previously reported for them
   * (a schema change): shapes on them must be rotated.
   */
  readonly changedRelations: readonly RelationRef[];
};

/** A shape as clients define it, after validation. */
export type ShapeDefinition = {
  readonly schema: string;
  readonly table: string;
  /** Validated where text with $n placeholders (unchanged), or undefined. */
  readonly where?: string;
  /** Positional params, `params[1]` first. */
  readonly params: readonly string[];
  /** Selected columns (always including the primary key), or undefined for all. */
  readonly columns?: readonly string[];
  readonly replica: 'default' | 'full';
  readonly log: 'full' | 'changes_only';
};

/** Electric's 400 body shape: `{"message":"Invalid request","errors":{field:[messages]}}`. */
export type FieldErrors = Record<string, string[]>;
