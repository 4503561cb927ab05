/**
 * The optimistic overlay of one synced table (local_<table>, see migrations/sqlite/0005): for each
 * row with unconfirmed local edits, the row as the user sees it now. It is always rebuilt the same
 * way: the synced row, then every pending outbox mutation of that row in order. So a server change
 * to other columns shows through at once, a rejected edit disappears by leaving the outbox, and a
 * confirmed one by its transaction arriving on the stream.
 */
import type Database from 'better-sqlite3';
import { mergedViewName, overlayTableName } from '../../../shared/schema/sqlite-ddl.js';
import { primaryKey, publicColumnNames, type TableDef } from '../../../shared/schema/table.js';
import type { Replica } from '../replica/open-replica.js';
import { encodeValue, type SqliteValue } from '../replica/value-codec.js';

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

export type RowKey = Record<string, unknown>;

/** The key as the outbox stores it: JSON with the key columns in primary-key order. */
export const keyJson = (table: TableDef, pk: RowKey): string =>
  JSON.stringify(Object.fromEntries(primaryKey(table).map((c) => [c, pk[c]])));

type Statements = {
  synced: Database.Statement;
  merged: Database.Statement;
  pending: Database.Statement;
  upsert: Database.Statement;
  remove: Database.Statement;
  keys: Database.Statement;
};

const cache = new WeakMap<Replica, Map<string, Statements>>();

function statements(db: Replica, table: TableDef): Statements {
  let perDb = cache.get(db);
  if (!perDb) cache.set(db, (perDb = new Map()));
  let s = perDb.get(table.name);
  if (s) return s;
  const pk = primaryKey(table);
  const cols = publicColumnNames(table);
  const wherePk = pk.map((c) => `${q(c)} = ?`).join(' AND ');
  const overlay = q(overlayTableName(table.name));
  s = {
    synced: db.prepare(`SELECT * FROM ${q(table.name)} WHERE ${wherePk}`),
    merged: db.prepare(`SELECT * FROM ${q(mergedViewName(table.name))} WHERE ${wherePk}`),
    pending: db.prepare(`SELECT op, "values" FROM sync_outbox WHERE table_name = ? AND pk = ? ORDER BY seq`),
    upsert: db.prepare(
      `INSERT OR REPLACE INTO ${overlay} (${[...cols, '_deleted'].map(q).join(', ')}) VALUES (${[...cols, '_deleted'].map(() => '?').join(', ')})`,
    ),
    remove: db.prepare(`DELETE FROM ${overlay} WHERE ${wherePk}`),
    keys: db.prepare(`SELECT ${pk.map(q).join(', ')} FROM ${overlay}`),
  };
  perDb.set(table.name, s);
  return s;
}

const keyValues = (table: TableDef, pk: RowKey) => primaryKey(table).map((c) => pk[c] as SqliteValue);

/** The synced row exactly as the server sent it, or undefined. */
export const syncedRow = (db: Replica, table: TableDef, pk: RowKey) =>
  statements(db, table).synced.get(...keyValues(table, pk)) as Record<string, SqliteValue> | undefined;

/** The row as the user sees it (synced row with local edits), or undefined when absent or deleted locally. */
export const mergedRow = (db: Replica, table: TableDef, pk: RowKey) =>
  statements(db, table).merged.get(...keyValues(table, pk)) as Record<string, SqliteValue> | undefined;

/** Keys of the rows that have an overlay now. */
export const overlayKeys = (db: Replica, table: TableDef): RowKey[] => statements(db, table).keys.all() as RowKey[];

/** Re-derives one row's overlay from its synced row and its pending mutations. Call inside a transaction. */
export function rebuildOverlay(db: Replica, table: TableDef, pk: RowKey): void {
  const s = statements(db, table);
  const key = keyValues(table, pk);
  const pending = s.pending.all(table.name, keyJson(table, pk)) as { op: string; values: string | null }[];
  if (pending.length === 0) {
    s.remove.run(...key);
    return;
  }
  let row: Record<string, SqliteValue> | null = (s.synced.get(...key) as Record<string, SqliteValue>) ?? null;
  for (const m of pending) {
    if (m.op === 'delete') {
      row = null;
      continue;
    }
    if (m.op === 'update' && row === null) continue; // the row is gone; the server will say so
    const values = JSON.parse(m.values ?? '{}') as Record<string, unknown>;
    const encoded: Record<string, SqliteValue> = {};
    for (const [c, v] of Object.entries(values)) encoded[c] = encodeValue(table.name, c, table.columns[c]!, v as never);
    row = { ...(m.op === 'insert' ? {} : row), ...encoded };
  }
  const cols = publicColumnNames(table);
  if (row === null) {
    s.upsert.run(...cols.map((c) => (primaryKey(table).includes(c) ? (pk[c] as SqliteValue) : null)), 1);
  } else {
    s.upsert.run(...cols.map((c) => row[c] ?? null), 0);
  }
}
