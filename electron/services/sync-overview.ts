/**
 * The sync centre's one-object summary (views.ts syncOverviewSchema), derived from what the engine
 * last reported and what the outbox holds. Pure: the same inputs always give the same overview.
 *
 *   engine gone (fatal, crashed) ─────────────► error
 *   any table failing ────────────────────────► error
 *   any table offline, or uploads offline ────► offline
 *   a table still on its first sync ever ─────► initial
 *   every table live ─────────────────────────► live
 *   otherwise (resuming, no status yet) ──────► starting
 */
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import type { SyncOverview, SyncState } from '../../shared/api/views.js';
import type { OutboxCounts } from '../../sync/client/local/outbox.js';
import type { TableSyncStatus } from '../../sync/client/sync-status.js';

export type Issue = { code: string; message: string };

export type OverviewInputs = {
  statuses: readonly TableSyncStatus[];
  outbox: OutboxCounts;
  oldestQueuedAt: string | null;
  lastUploadError: Issue | null;
  /** False once the engine has stopped on its own (fatal error, crash). */
  engineRunning: boolean;
  /** Why the engine stopped, when it did. */
  engineError: Issue | null;
};

const EMPTY_OUTBOX = { queued: 0, awaitingConfirmation: 0, conflicts: 0, rejected: 0, overridden: 0 };

export const SIGNED_OUT_OVERVIEW: SyncOverview = {
  state: 'signed-out',
  online: false,
  idle: false,
  tables: [],
  outbox: { ...EMPTY_OUTBOX, oldestQueuedAt: null, lastUploadError: null },
  lastError: null,
};

const tableOrder = new Map(SYNCED_TABLES.map((t, i) => [t.name, i]));

function stateOf(i: OverviewInputs, uploadsOffline: boolean): SyncState {
  const phases = i.statuses.map((s) => s.phase);
  if (!i.engineRunning || phases.includes('error')) return 'error';
  if (phases.includes('offline') || uploadsOffline) return 'offline';
  if (i.statuses.some((s) => s.phase === 'initial' && s.lastUpToDateAt === null)) return 'initial';
  if (phases.length === SYNCED_TABLES.length && phases.every((p) => p === 'live')) return 'live';
  return 'starting';
}

export function deriveOverview(i: OverviewInputs): SyncOverview {
  const uploadsOffline = i.lastUploadError?.code === 'offline' && i.outbox.queued > 0;
  const state = stateOf(i, uploadsOffline);
  const failing = i.statuses.find((s) => s.phase === 'error')?.lastError ?? null;
  return {
    state,
    online: i.engineRunning && state !== 'offline' && state !== 'starting',
    idle: state === 'live' && i.outbox.queued === 0 && i.outbox.awaitingConfirmation === 0,
    tables: [...i.statuses]
      .sort((a, b) => (tableOrder.get(a.table) ?? 99) - (tableOrder.get(b.table) ?? 99))
      .map((s) => ({ ...s, lastError: s.lastError ? { ...s.lastError } : null })),
    outbox: {
      ...i.outbox,
      oldestQueuedAt: i.oldestQueuedAt,
      // Only while something still waits to leave: a drained outbox has nothing left to warn about.
      lastUploadError: i.outbox.queued > 0 ? i.lastUploadError : null,
    },
    lastError: i.engineError ?? failing,
  };
}
