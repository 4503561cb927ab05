/**
 * CREATE TABLE statements for the replica's domain tables, derived from tables.ts. Used to write
 * the committed migrations/sqlite files (npm run gen:sqlite); schema-drift.test.ts checks that a
 * real SQLite file built from those files matches the definitions.
 */
import { COLUMN_KINDS } from './columns.js';
import type { TableDef } from './table.js';
import { SYNCED_TABLES } from './tables.js';

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

export function sqliteCreateTable(t: TableDef): string {
  const cols = Object.entries(t.columns)
    .filter(([, d]) => !d.secret)
    .map(([name, d]) => {
      const parts = [q(name), COLUMN_KINDS[d.kind].sqlite.toUpperCase()];
      // SQLite lets a non-INTEGER primary key hold NULL unless told otherwise.
      if (!d.nullable || d.primaryKey) parts.push('NOT NULL');
      if (d.primaryKey) parts.push('PRIMARY KEY');
      return '  ' + parts.join(' ');
    });
  return `CREATE TABLE ${q(t.name)} (\n${cols.join(',\n')}\n) STRICT;`;
}

export const sqliteReplicaDdl = (): string =>
  [
    '-- Replica domain tables, one per synced table. Generated from shared/schema/tables.ts by `npm run gen:sqlite`.\n' +
      '-- Never edit after it lands; schema changes go in a new numbered file.',
    ...SYNCED_TABLES.map(sqliteCreateTable),
  ].join('\n\n') + '\n';
