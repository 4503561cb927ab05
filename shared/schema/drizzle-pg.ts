/** drizzle-orm Postgres tables, built from the one definition in tables.ts (server side). */
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  inet,
  integer,
  jsonb,
  macaddr,
  pgTable,
  text,
  timestamp,
  uuid,
  type PgColumnBuilderBase,
} from 'drizzle-orm/pg-core';
import type { ColumnDef, ColumnKind } from './columns.js';
import type { TableDef } from './table.js';
import { SYNCED_TABLES } from './tables.js';

const builders: Record<ColumnKind, (name: string) => PgColumnBuilderBase> = {
  uuid: (n) => uuid(n),
  text: (n) => text(n),
  integer: (n) => integer(n),
  bigint: (n) => bigint(n, { mode: 'number' }),
  double: (n) => doublePrecision(n),
  boolean: (n) => boolean(n),
  timestamptz: (n) => timestamp(n, { withTimezone: true, mode: 'string' }),
  date: (n) => date(n, { mode: 'string' }),
  jsonb: (n) => jsonb(n),
  inet: (n) => inet(n),
  macaddr: (n) => macaddr(n),
  textArray: (n) => text(n).array(),
};

function column(name: string, def: ColumnDef): PgColumnBuilderBase {
  // The builders' chain methods return narrowed types; the loose record type is what a generated schema can promise.
  let b = builders[def.kind](name) as PgColumnBuilderBase & {
    notNull(): PgColumnBuilderBase;
    primaryKey(): PgColumnBuilderBase;
    $defaultFn(fn: () => unknown): PgColumnBuilderBase;
  };
  if (def.primaryKey) b = b.primaryKey() as typeof b;
  else if (!def.nullable) b = b.notNull() as typeof b;
  return b;
}

export const pgTableOf = (t: TableDef) =>
  pgTable(t.name, Object.fromEntries(Object.entries(t.columns).map(([n, d]) => [n, column(n, d)])));

export const pgSchema = Object.fromEntries(SYNCED_TABLES.map((t) => [t.name, pgTableOf(t)]));
