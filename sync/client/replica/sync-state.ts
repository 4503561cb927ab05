/** Reads and writes `sync_shapes`: where each table's shape stream resumes. */
import type { Offset } from '@electric-sql/client';
import type { Replica } from './open-replica.js';

export type ShapeState = {
  table: string;
  handle: string;
  offset: Offset;
  /** The electric-schema header (JSON text), when one was seen. */
  schema: string | null;
  lastUpToDateAt: string | null;
  rowCount: number;
  bytes: number;
  /** A batch parked in sync_pending (see apply-batch.ts): the stream resumes after it. */
  pending: PendingState | null;
};

export type PendingState = { handle: string; offset: Offset; refetch: boolean };

type ShapeRow = {
  table_name: string;
  handle: string;
  offset: string;
  schema: string | null;
  last_up_to_date_at: string | null;
  row_count: number;
  bytes: number;
  pending_handle: string | null;
  pending_offset: string | null;
  pending_refetch: number;
};

/** A stored offset the client can resume from: `-1`, `<tx>_<op>`, or `<tx>_inf` (end of a snapshot or chunk). */
const RESUMABLE_OFFSET = /^(-1|\d+_(\d+|inf))$/;

// Anything else (a hand-edited file) is treated as "start over" rather than sent to the server.
const resumable = (offset: string): Offset => (RESUMABLE_OFFSET.test(offset) ? offset : '-1') as Offset;

const fromRow = (r: ShapeRow): ShapeState => ({
  table: r.table_name,
  handle: r.handle,
  offset: resumable(r.offset),
  schema: r.schema,
  lastUpToDateAt: r.last_up_to_date_at,
  rowCount: r.row_count,
  bytes: r.bytes,
  pending:
    r.pending_handle !== null && r.pending_offset !== null
      ? { handle: r.pending_handle, offset: resumable(r.pending_offset), refetch: r.pending_refetch === 1 }
      : null,
});

export function readShapeState(db: Replica, table: string): ShapeState | undefined {
  const row = db.prepare('SELECT * FROM sync_shapes WHERE table_name = ?').get(table) as ShapeRow | undefined;
  return row && fromRow(row);
}

export function readAllShapeStates(db: Replica): ShapeState[] {
  return (db.prepare('SELECT * FROM sync_shapes ORDER BY table_name').all() as ShapeRow[]).map(fromRow);
}

/** Prepared writers for one table's sync_shapes row; call inside the batch's transaction. */
export function shapeStateWriter(db: Replica) {
  const upsert = db.prepare(
    `INSERT INTO sync_shapes (table_name, handle, "offset", schema, last_up_to_date_at, row_count, bytes,
       pending_handle, pending_offset, pending_refetch)
     VALUES (@table, @handle, @offset, @schema, @lastUpToDateAt, @rowCount, @bytes,
       @pendingHandle, @pendingOffset, @pendingRefetch)
     ON CONFLICT (table_name) DO UPDATE SET handle = excluded.handle, "offset" = excluded."offset",
       schema = excluded.schema, last_up_to_date_at = excluded.last_up_to_date_at,
       row_count = excluded.row_count, bytes = excluded.bytes, pending_handle = excluded.pending_handle,
       pending_offset = excluded.pending_offset, pending_refetch = excluded.pending_refetch`,
  );
  return {
    write: ({ pending, ...s }: ShapeState) =>
      void upsert.run({
        ...s,
        pendingHandle: pending?.handle ?? null,
        pendingOffset: pending?.offset ?? null,
        pendingRefetch: pending?.refetch ? 1 : 0,
      }),
  };
}
