/**
 * Writes a table's shape messages into the replica, always together with the stream position they
 * lead to, in ONE SQLite transaction. A crash at any instant therefore leaves either the old rows
 * with the old position or the new rows with the new position: resuming re-reads exactly what is
 * missing, with no gap and no duplicate.
 *
 *   insert → upsert by primary key (a re-delivered insert overwrites, it never duplicates)
 *   update → UPDATE of the columns the message carries (replica=default: key + changed columns)
 *   delete → DELETE by primary key
 *
 * Three operations (table-sync.ts decides which):
 *   apply  rows + resume point (+ parked changes, see sync_pending) become visible at once
 *   park   a slice of a batch that must stay atomic is set aside in sync_pending with the position
 *          after it, so memory stays flat; `apply` later replays it in order, then the tail
 *   unpark forget parked changes (the server asked for a refetch; they belong to a dead shape)
 *
 * A batch may end a shape's snapshot (`snapshot`, from the stream's snapshot-end): local edits whose
 * transaction it contains are confirmed with it (outbox.ts). Parked, it travels as one more entry of
 * sync_pending, so it is applied with the rows it belongs to, never without them.
 */
import { deserialize, serialize } from 'node:v8';
import type { ChangeMessage, Row } from '@electric-sql/client';
import type Database from 'better-sqlite3';
import { primaryKey, type TableDef } from '../../../shared/schema/table.js';
import type { Replica } from './open-replica.js';
import { confirmTxids } from '../local/outbox.js';
import { overlayKeys, rebuildOverlay } from '../local/overlay.js';
import type { PgSnapshot } from '../local/stream-seen.js';
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
  /** ISO time of the up-to-date that ends this batch; null for a slice of an initial sync. */
  upToDateAt: string | null;
  /** The snapshot-end of the shape's snapshot, when this batch brings it. */
  snapshot?: PgSnapshot | null;
};

export type BatchToPark = Pick<BatchToApply, 'changes' | 'refetch' | 'handle' | 'offset' | 'snapshot'>;

export type AppliedBatch = {
  state: ShapeState;
  /** True when rows changed (including a refetch emptying the table). */
  touched: boolean;
};

type Operation = 'insert' | 'update' | 'delete';
/** `txids`: the server transaction that made the change (absent in snapshots), for outbox confirmation. */
type EncodedChange = { op: Operation; columns: string[]; values: SqliteValue[]; txids?: number[] };
/** A parked snapshot-end. */
type ParkedSnapshot = { op: 'snapshot-end'; snapshot: PgSnapshot };

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

const encodeChange = (table: TableDef, change: ChangeMessage<Row>): EncodedChange => {
  const op = change.headers.operation;
  if (op !== 'insert' && op !== 'update' && op !== 'delete') throw new Error(`unknown operation ${String(op)}`);
  const txids = (change.headers as { txids?: number[] }).txids;
  return { op, ...encodeRow(table, change.value), ...(txids?.length ? { txids } : {}) };
};

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
  const parkChange = db.prepare('INSERT INTO sync_pending (table_name, seq, change) VALUES (?, ?, ?)');
  const lastParked = db.prepare('SELECT max(seq) FROM sync_pending WHERE table_name = ?').pluck();
  // Read in pages: a connection cannot write while a statement is still iterating.
  const parkedPage = db.prepare(
    'SELECT seq, change FROM sync_pending WHERE table_name = ? AND seq > ? ORDER BY seq LIMIT 500',
  );
  const dropParked = db.prepare('DELETE FROM sync_pending WHERE table_name = ?');
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

  /** Keys and transactions of the changes applied in the current transaction (for local edits). */
  let touched = new Map<string, Record<string, SqliteValue>>();
  let txids = new Set<number>();
  let snapshot: PgSnapshot | null = null;

  /** Applies one change; returns the change in row count (+1 new row, -1 removed row, 0 otherwise). */
  const applyChange = ({ op, columns, values, txids: tx }: EncodedChange): number => {
    const { setCols, setVals, key } = split(columns, values);
    const keyObj = Object.fromEntries(pk.map((c, i) => [c, key[i]!]));
    touched.set(JSON.stringify(key), keyObj);
    for (const t of tx ?? []) txids.add(t);
    switch (op) {
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
    }
  };

  /**
   * Local edits meet the server's rows: mutations whose transaction arrived are confirmed, and every
   * overlay on a row that changed is re-derived, so a pending edit shows over the newest server row.
   */
  const settleLocalEdits = () => {
    const confirmed = new Set(confirmTxids(db, table, txids, snapshot).map((k) => JSON.stringify(pk.map((c) => k[c]))));
    for (const k of overlayKeys(db, table)) {
      const id = JSON.stringify(pk.map((c) => k[c]));
      if (touched.has(id) && !confirmed.has(id)) rebuildOverlay(db, table, k);
    }
    touched = new Map();
    txids = new Set();
    snapshot = null;
  };

  const apply = db.transaction((batch: BatchToApply): AppliedBatch => {
    touched = new Map();
    txids = new Set();
    snapshot = null;
    const previous = readShapeState(db, table.name);
    const parked = previous?.pending ?? null;
    const refetch = batch.refetch || (parked?.refetch ?? false);
    if (refetch) emptyTable.run();
    // First sync of this file (or a refetch): start from what the table holds now.
    let rowCount = refetch || !previous ? (countRows.get() as number) : previous.rowCount;
    if (parked) {
      for (let after = 0, page: { seq: number; change: Buffer }[]; ; after = page.at(-1)!.seq) {
        page = parkedPage.all(table.name, after) as typeof page;
        if (page.length === 0) break;
        for (const p of page) {
          const parkedChange = deserialize(p.change) as EncodedChange | ParkedSnapshot;
          if (parkedChange.op === 'snapshot-end') snapshot = parkedChange.snapshot;
          else rowCount += applyChange(parkedChange);
        }
      }
      dropParked.run(table.name);
    }
    for (const change of batch.changes) rowCount += applyChange(encodeChange(table, change));
    if (batch.snapshot) snapshot = batch.snapshot;
    settleLocalEdits();
    const state: ShapeState = {
      table: table.name,
      handle: batch.handle,
      offset: batch.offset,
      schema: batch.schema ?? (refetch ? null : (previous?.schema ?? null)),
      lastUpToDateAt: batch.upToDateAt ?? (refetch ? null : (previous?.lastUpToDateAt ?? null)),
      rowCount,
      bytes: (refetch ? 0 : (previous?.bytes ?? 0)) + batch.bytes,
      pending: null,
    };
    shapes.write(state);
    return { state, touched: refetch || parked !== null || batch.changes.length > 0 };
  });

  const park = db.transaction((batch: BatchToPark): void => {
    const previous = readShapeState(db, table.name);
    if (!previous) throw new Error(`${table.name}: nothing to park against; apply the first batch directly`);
    let seq = ((lastParked.get(table.name) as number | null) ?? 0) + 1;
    for (const change of batch.changes) parkChange.run(table.name, seq++, serialize(encodeChange(table, change)));
    if (batch.snapshot) {
      const parked: ParkedSnapshot = { op: 'snapshot-end', snapshot: batch.snapshot };
      parkChange.run(table.name, seq++, serialize(parked));
    }
    shapes.write({
      ...previous,
      pending: {
        handle: batch.handle,
        offset: batch.offset,
        refetch: batch.refetch || (previous.pending?.refetch ?? false),
      },
    });
  });

  const unpark = db.transaction((): void => {
    const previous = readShapeState(db, table.name);
    dropParked.run(table.name);
    if (previous?.pending) shapes.write({ ...previous, pending: null });
  });

  // IMMEDIATE takes the write lock up front, so a concurrent reader-turned-writer cannot deadlock it.
  return {
    apply: (batch: BatchToApply): AppliedBatch => apply.immediate(batch),
    park: (batch: BatchToPark): void => park.immediate(batch),
    unpark: (): void => unpark.immediate(),
  };
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
