/**
 * Column kinds of synced tables and how each maps to Postgres and SQLite.
 * This is the single place where a Postgres type is paired with its replica type.
 */

export const COLUMN_KINDS = {
  uuid: { pg: 'uuid', sqlite: 'text' },
  text: { pg: 'text', sqlite: 'text' },
  integer: { pg: 'integer', sqlite: 'integer' },
  bigint: { pg: 'bigint', sqlite: 'integer' },
  double: { pg: 'double precision', sqlite: 'real' },
  boolean: { pg: 'boolean', sqlite: 'integer' },
  timestamptz: { pg: 'timestamp with time zone', sqlite: 'text' },
  date: { pg: 'date', sqlite: 'text' },
  jsonb: { pg: 'jsonb', sqlite: 'text' },
  inet: { pg: 'inet', sqlite: 'text' },
  macaddr: { pg: 'macaddr', sqlite: 'text' },
  textArray: { pg: 'text[]', sqlite: 'text' },
} as const;

export type ColumnKind = keyof typeof COLUMN_KINDS;

export type ColumnDef = {
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  /** Has a server-side default, so an insert may omit it. */
  readonly hasDefault: boolean;
  /** Never leaves the server: excluded from shapes and from the replica. */
  readonly secret: boolean;
  /** Maintained by the server (triggers, the write path); clients never write it. */
  readonly serverOwned: boolean;
  /** Allowed values for text columns backed by a CHECK constraint. */
  readonly values?: readonly string[];
};

/** Immutable builder: every method returns a new column, so shared fragments stay safe. */
export class Column<K extends ColumnKind = ColumnKind> implements ColumnDef {
  constructor(
    readonly kind: K,
    readonly nullable = false,
    readonly primaryKey = false,
    readonly hasDefault = false,
    readonly secret = false,
    readonly serverOwned = false,
    readonly values?: readonly string[],
  ) {}

  private with(patch: Partial<ColumnDef>): Column<K> {
    const d = { ...this, ...patch };
    return new Column(d.kind as K, d.nullable, d.primaryKey, d.hasDefault, d.secret, d.serverOwned, d.values);
  }

  optional(): Column<K> {
    return this.with({ nullable: true });
  }
  pk(): Column<K> {
    return this.with({ primaryKey: true, hasDefault: true });
  }
  defaulted(): Column<K> {
    return this.with({ hasDefault: true });
  }
  secretColumn(): Column<K> {
    return this.with({ secret: true });
  }
  server(): Column<K> {
    return this.with({ serverOwned: true, hasDefault: true });
  }
}

export const col = {
  uuid: () => new Column('uuid'),
  text: () => new Column('text'),
  /** A text column restricted to a fixed set of values (CHECK constraint in Postgres). */
  oneOf: <const V extends readonly string[]>(values: V) =>
    new Column('text', false, false, false, false, false, values),
  integer: () => new Column('integer'),
  bigint: () => new Column('bigint'),
  double: () => new Column('double'),
  boolean: () => new Column('boolean'),
  timestamptz: () => new Column('timestamptz'),
  date: () => new Column('date'),
  jsonb: () => new Column('jsonb'),
  inet: () => new Column('inet'),
  macaddr: () => new Column('macaddr'),
  textArray: () => new Column('textArray'),
};
