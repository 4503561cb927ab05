/**
 * What the sync centre shows per table.
 *
 *            first up-to-date committed
 *   initial ───────────────────────────► live
 *      │  ▲                               │  ▲
 *      │  └── response again (not yet ────┤  │ response again
 *      ▼      up to date)                 ▼  │ (up to date before)
 *   offline ◄── network error / 5xx / 429 ───┘
 *
 *   any ──► error: the server refused (4xx; retried with backoff, so a refreshed token recovers)
 *               or a batch could not be applied (the table's stream stops; its offset is unchanged)
 */
import type { SyncPhase } from '../../shared/sync/sync-phases.js';

export { SYNC_PHASES, type SyncPhase } from '../../shared/sync/sync-phases.js';

export type SyncIssue = { code: string; message: string };

export type TableSyncStatus = {
  table: string;
  phase: SyncPhase;
  /** Rows of the table in the replica, as of the last committed batch. */
  rows: number;
  /** Response bytes received for the table's current shape. */
  bytes: number;
  /** Rows the server counted for this shape when its initial sync began; null when not known. */
  total: number | null;
  /** ISO time of the last committed up-to-date batch (persisted, so it survives restarts). */
  lastUpToDateAt: string | null;
  lastError: SyncIssue | null;
};

export const sameStatus = (a: TableSyncStatus, b: TableSyncStatus): boolean =>
  a.phase === b.phase &&
  a.rows === b.rows &&
  a.bytes === b.bytes &&
  a.total === b.total &&
  a.lastUpToDateAt === b.lastUpToDateAt &&
  a.lastError?.code === b.lastError?.code &&
  a.lastError?.message === b.lastError?.message;
