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

/** The overlay table holding a synced table's local, not yet confirmed edits (see sync/client/local). */
export const overlayTableName = (table: string): string => `local_${table}`;
/** The view the app reads: synced rows with local edits laid over them. */
export const mergedViewName = (table: string): string => `${table}_view`;

const replicaColumns = (t: TableDef): string[] =>
  Object.entries(t.columns)
    .filter(([, d]) => !d.secret)
    .map(([name]) => name);

/**
 * A synced table's overlay: the same columns, all nullable but the key (a tombstone carries only
 * the key), plus `_deleted`. One row per locally edited row, holding the row as the user now sees
 * it; the synced table itself stays exactly what the server sent.
 */
export function sqliteOverlayTable(t: TableDef): string {
  const cols = Object.entries(t.columns)
    .filter(([, d]) => !d.secret)
    .map(([name, d]) => {
      const parts = [q(name), COLUMN_KINDS[d.kind].sqlite.toUpperCase()];
      if (d.primaryKey) parts.push('NOT NULL');
      return '  ' + parts.join(' ');
    });
  const pk = Object.entries(t.columns)
    .filter(([, d]) => d.primaryKey)
    .map(([n]) => q(n));
  cols.push('  "_deleted" INTEGER NOT NULL DEFAULT 0 CHECK ("_deleted" IN (0, 1))');
  cols.push(`  PRIMARY KEY (${pk.join(', ')})`);
  return `CREATE TABLE ${q(overlayTableName(t.name))} (\n${cols.join(',\n')}\n) STRICT;`;
}

/** Overlay rows that are not tombstones, then synced rows without an overlay. */
export function sqliteMergedView(t: TableDef): string {
  const cols = replicaColumns(t).map(q).join(', ');
  const pk = Object.entries(t.columns)
    .filter(([, d]) => d.primaryKey)
    .map(([n]) => q(n));
  const match = pk.map((c) => `o.${c} = s.${c}`).join(' AND ');
  return (
    `CREATE VIEW ${q(mergedViewName(t.name))} AS\n` +
    `  SELECT ${cols} FROM ${q(overlayTableName(t.name))} WHERE "_deleted" = 0\n` +
    `  UNION ALL\n` +
    `  SELECT ${replicaColumns(t)
      .map((c) => `s.${q(c)}`)
      .join(', ')} FROM ${q(t.name)} AS s\n` +
    `  WHERE NOT EXISTS (SELECT 1 FROM ${q(overlayTableName(t.name))} AS o WHERE ${match});`
  );
}

export const sqliteOverlayDdl = (): string =>
  [
    '-- Local edits: an overlay table and a merged view per synced table. Generated from shared/schema/tables.ts\n' +
      '-- by `npm run gen:sqlite`. Never edit after it lands; changes go in a new numbered file.',
    ...SYNCED_TABLES.flatMap((t) => [sqliteOverlayTable(t), sqliteMergedView(t)]),
  ].join('\n\n') + '\n';
