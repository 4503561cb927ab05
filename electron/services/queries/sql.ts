/**
 * Small helpers every query module uses: cached statements, id lists as one bound JSON parameter
 * (`IN (SELECT value FROM json_each(?))`, so SQLite pushes the list into each arm of a merged view
 * and uses its indexes), and the replica's value forms (0/1 booleans, int8 as bigint).
 */
import type Database from 'better-sqlite3';
import type { Replica } from '../../../sync/client/replica/open-replica.js';

const cache = new WeakMap<Replica, Map<string, Database.Statement>>();

/**
 * The prepared statement for `sql` on `db`, prepared once per connection. Shared by every caller of
 * the same text, so a statement used with `.pluck()` keeps plucking: give such queries their own text.
 */
export function stmt(db: Replica, sql: string): Database.Statement {
  let perDb = cache.get(db);
  if (!perDb) cache.set(db, (perDb = new Map()));
  let s = perDb.get(sql);
  if (!s) perDb.set(sql, (s = db.prepare(sql)));
  return s;
}

/** A bound id list: use with IN_LIST. */
export const IN_LIST = '(SELECT value FROM json_each(?))';
export const listParam = (ids: Iterable<unknown>): string => JSON.stringify([...ids]);

/** Rows of `sql` (which has one `?` for IN_LIST) for the given ids, a chunk at a time. */
export function rowsForIds<T>(db: Replica, sql: string, ids: readonly unknown[], chunk = 2_000): T[] {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += chunk)
    out.push(...(stmt(db, sql).all(listParam(ids.slice(i, i + chunk))) as T[]));
  return out;
}

/** Ids among `ids` whose row has local edits not yet confirmed (an overlay row in local_<table>). */
export function pendingIds(db: Replica, table: string, ids: readonly string[]): Set<string> {
  if (ids.length === 0) return new Set();
  const rows = rowsForIds<{ id: string }>(db, `SELECT id FROM "local_${table}" WHERE id IN ${IN_LIST}`, ids);
  return new Set(rows.map((r) => r.id));
}

export const bool = (v: unknown): boolean => v === 1 || v === 1n || v === true;
export const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
export const textOr = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

/** A LIKE pattern matching `term` anywhere, with LIKE's wildcards in the term taken literally (ESCAPE '\'). */
export const containsPattern = (term: string): string => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Now, as the replica stores timestamps (UTC, six fraction digits, so text order is time order). */
export const nowIso = (now = new Date()): string => now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** An ISO timestamp with any offset, in the replica's form. */
export const toReplicaIso = (value: string): string => nowIso(new Date(value));

export const byId = <T extends { id: string }>(rows: readonly T[]): Map<string, T> =>
  new Map(rows.map((r) => [r.id, r]));

/** Stands in for the id of a related row that is not in the replica (yet), where a view needs one. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
