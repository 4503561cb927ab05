/**
 * Applies one up-to-date batch of a table's shape to the replica: every change and the shape's new
 * resume point (handle + offset) in ONE SQLite transaction. A crash at any instant therefore leaves
 * either the old rows with the old offset or the new rows with the new offset: resuming re-reads
 * exactly what is missing, with no gap and no duplicate.
 *
 *   insert → upsert by primary key (a re-delivered insert overwrites, it never duplicates)
 *   update → UPDATE of the columns the message carries (replica=default: key + changed columns)
 *   delete → DELETE by primary key
 */
import type { ChangeMessage, Row } from '@electric-sql/client';
import type Database from 'better-sqlite3';
import { primaryKey, type TableDef } from '../../../shared/schema/table.js';
import type { Replica } from './open-replica.js';
import { readShapeState, shapeStateWriter, type ShapeState } from './sync-state.js';
import { encodeRow, type SqliteValue } from './value-codec.js';

export type BatchToApply = {
  changes: readonly ChangeMessage<Row>[];
  /** The shape was refetched (409): empty the table before applying, in the same transaction. */
  refetch: boolean;
  handle: string;
  offset: ShapeState['offset'];
  schema: string | null;
  /** Response bytes received for this batch. */
  bytes: number;
  /** ISO time stamped as the table's last up-to-date moment. */
  upToDateAt: string;
};

export type AppliedBatch = {
  state: ShapeState;
  /** True when rows changed (including a refetch emptying the table). */
  touched: boolean;
};

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/** Prepared statements for one table, cached per column set (updates carry varying columns). */
export function tableApplier(db: Replica, table: TableDef) {
  const pk = primaryKey(table);
  const pkSet = new Set(pk);
  const name = q(table.name);
  const wherePk = pk.map((c) => `${q(c)} = ?`).join(' AND ');
  const cache = new Map<string, Database.Statement>();
  const prepared = (key: string, sql: () => string) => {
    let stmt = cache.get(key);
    if (!stmt) cache.set(key, (stmt = db.prepare(sql())));
    return stmt;
  };
  const insertNew = (cols: string[]) =>
    prepared(`i:${cols.join(',')}`, () => {
      const list = cols.map(q).join(', ');
      return `INSERT INTO ${name} (${list}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;
    });
  const updateCols = (cols: string[]) =>
    prepared(
      `u:${cols.join(',')}`,
      () => `UPDATE ${name} SET ${cols.map((c) => `${q(c)} = ?`).join(', ')} WHERE ${wherePk}`,
    );
  const deleteRow = db.prepare(`DELETE FROM ${name} WHERE ${wherePk}`);
  const emptyTable = db.prepare(`DELETE FROM ${name}`);
  const countRows = db.prepare(`SELECT count(*) AS n FROM ${name}`).pluck();
  const shapes = shapeStateWriter(db);

  /** Splits an encoded row into its non-key columns/values and its key values (in pk order). */
  const split = (columns: string[], values: SqliteValue[]) => {
    const setCols: string[] = [];
    const setVals: SqliteValue[] = [];
    const keyVals = new Map<string, SqliteValue>();
    columns.forEach((c, i) => {
      if (pkSet.has(c)) keyVals.set(c, values[i]!);
      else {
        setCols.push(c);
        setVals.push(values[i]!);
      }
    });
    const key = pk.map((c) => {
      const v = keyVals.get(c);
      if (v === undefined || v === null) throw new MissingKeyError(table.name, c);
      return v;
    });
    return { setCols, setVals, key };
  };

  /** Applies one change; returns the change in row count (+1 new row, -1 removed row, 0 otherwise). */
  const applyChange = (change: ChangeMessage<Row>): number => {
    const { columns, values } = encodeRow(table, change.value);
    const { setCols, setVals, key } = split(columns, values);
    switch (change.headers.operation) {
      case 'insert': {
        if (insertNew(columns).run(...values).changes > 0) return 1;
        // Already here (a re-delivered insert, or an optimistic local row): the server's row wins.
        if (setCols.length) updateCols(setCols).run(...setVals, ...key);
        return 0;
      }
      case 'update':
        // A missing row means it was never in this shape; the server never sends such updates.
        if (setCols.length) updateCols(setCols).run(...setVals, ...key);
        return 0;
      case 'delete':
        return -deleteRow.run(...key).changes;
      default:
        throw new Error(`unknown operation ${String(change.headers.operation)}`);
    }
  };

  const commit = db.transaction((batch: BatchToApply): AppliedBatch => {
    const previous = batch.refetch ? undefined : readShapeState(db, table.name);
    if (batch.refetch) {
      emptyTable.run();
      shapes.remove(table.name);
    }
    // First sync of this file (or a refetch): start from what the table holds now.
    let rowCount = previous?.rowCount ?? (countRows.get() as number);
    for (const change of batch.changes) rowCount += applyChange(change);
    const state: ShapeState = {
      table: table.name,
      handle: batch.handle,
      offset: batch.offset,
      schema: batch.schema ?? previous?.schema ?? null,
      lastUpToDateAt: batch.upToDateAt,
      rowCount,
      bytes: (previous?.bytes ?? 0) + batch.bytes,
    };
    shapes.write(state);
    return { state, touched: batch.refetch || batch.changes.length > 0 };
  });

  // IMMEDIATE takes the write lock up front, so a concurrent reader-turned-writer cannot deadlock it.
  return { apply: (batch: BatchToApply): AppliedBatch => commit.immediate(batch) };
}

export class MissingKeyError extends Error {
  readonly code = 'missing_key';
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(`${table}: a change arrived without its primary key column ${column}; the shape must include it.`);
    this.name = 'MissingKeyError';
  }
}
