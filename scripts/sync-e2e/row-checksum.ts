/**
 * One checksum per table over sorted rows, computed the same way from Postgres (what a user sees
 * under RLS) and from a replica file, so "the replica equals the server" compares values, not counts.
 * Each side's query yields one value per column; `canonical` maps both to the same text by column kind.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { ColumnKind } from '../../shared/schema/columns.js';
import { publicColumnNames, type TableDef } from '../../shared/schema/table.js';

export type TableChecksum = { rows: number; checksum: string };

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/** Postgres select-list item per kind, chosen so `canonical` sees what the replica should hold. */
const pgSelect: Record<ColumnKind, (c: string) => string> = {
  uuid: (c) => `${c}::text`,
  text: (c) => c,
  // The type's own output (10.0.0.1), as the shape service sends it; ::text would add /32.
  inet: (c) => `case when ${c} is null then null else concat(${c}) end`,
  macaddr: (c) => `${c}::text`,
  date: (c) => `${c}::text`,
  integer: (c) => `${c}::text`,
  bigint: (c) => `${c}::text`,
  double: (c) => c,
  boolean: (c) => c,
  // The replica's timestamp form: UTC, six fraction digits, Z.
  timestamptz: (c) => `to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  jsonb: (c) => `${c}::text`,
  textArray: (c) => `to_jsonb(${c})::text`,
};

/** JSON with object keys sorted, so key order never matters. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function canonical(kind: ColumnKind, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'boolean':
      return v === true || v === 1 || v === 1n ? 'true' : 'false';
    case 'double':
      return String(Number(v));
    case 'jsonb':
    case 'textArray':
      return canonicalJson(JSON.parse(String(v)));
    default:
      return String(v);
  }
}

function checksumOf(table: TableDef, rows: readonly Record<string, unknown>[]): TableChecksum {
  const cols = publicColumnNames(table);
  const lines = rows.map((r) => JSON.stringify(cols.map((c) => canonical(table.columns[c]!.kind, r[c])))).sort();
  return { rows: lines.length, checksum: crypto.createHash('sha256').update(lines.join('\n')).digest('hex') };
}

/** Run inside asUser(), so RLS decides which rows count. */
export async function serverChecksum(client: pg.ClientBase, table: TableDef): Promise<TableChecksum> {
  const list = publicColumnNames(table)
    .map((c) => `${pgSelect[table.columns[c]!.kind](q(c))} as ${q(c)}`)
    .join(', ');
  const { rows } = await client.query<Record<string, unknown>>(`select ${list} from ${q(table.name)}`);
  return checksumOf(table, rows);
}

export function replicaChecksum(db: Database.Database, table: TableDef): TableChecksum {
  const list = publicColumnNames(table).map(q).join(', ');
  const rows = db
    .prepare(`select ${list} from ${q(table.name)}`)
    .safeIntegers(true)
    .all() as Record<string, unknown>[];
  return checksumOf(table, rows);
}
