/** drizzle-orm SQLite tables for the replica, built from the one definition in tables.ts. Secret columns never reach it. */
import { integer, real, sqliteTable, text, type SQLiteColumnBuilderBase } from 'drizzle-orm/sqlite-core';
import type { ColumnDef, ColumnKind } from './columns.js';
import type { TableDef } from './table.js';
import { SYNCED_TABLES } from './tables.js';

const builders: Record<ColumnKind, (name: string) => SQLiteColumnBuilderBase> = {
  uuid: (n) => text(n),
  text: (n) => text(n),
  integer: (n) => integer(n),
  bigint: (n) => integer(n),
  double: (n) => real(n),
  boolean: (n) => integer(n, { mode: 'boolean' }),
  timestamptz: (n) => text(n),
  date: (n) => text(n),
  jsonb: (n) => text(n, { mode: 'json' }),
  inet: (n) => text(n),
  macaddr: (n) => text(n),
  textArray: (n) => text(n, { mode: 'json' }),
};

function column(name: string, def: ColumnDef): SQLiteColumnBuilderBase {
  let b = builders[def.kind](name) as SQLiteColumnBuilderBase & {
    notNull(): SQLiteColumnBuilderBase;
    primaryKey(): SQLiteColumnBuilderBase;
  };
  if (def.primaryKey) b = b.primaryKey() as typeof b;
  else if (!def.nullable) b = b.notNull() as typeof b;
  return b;
}

export const sqliteTableOf = (t: TableDef) =>
  sqliteTable(
    t.name,
    Object.fromEntries(
      Object.entries(t.columns)
        .filter(([, d]) => !d.secret)
        .map(([n, d]) => [n, column(n, d)]),
    ),
  );

export const sqliteSchema = Object.fromEntries(SYNCED_TABLES.map((t) => [t.name, sqliteTableOf(t)]));
