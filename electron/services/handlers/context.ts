/** What every handler module gets, and the one way handlers write. */
import type { EventName } from '../../../shared/api/contract.js';
import type { SyncOverview } from '../../../shared/api/views.js';
import type { WriteReceipt } from '../../../sync/client/local/local-writes.js';
import type { SessionManager } from '../session-manager.js';
import type { SettingsStore } from '../settings-store.js';
import type { Workspace } from '../workspace.js';

export type HandlerContext = {
  mode: 'electron' | 'browser';
  version: string;
  saveCsv?: (suggestedName: string, csv: string) => Promise<string | null>;
  settings: SettingsStore;
  session: SessionManager;
  overview(): SyncOverview;
  emit(event: EventName, payload: unknown): void;
};

/**
 * Runs `fn` as one user action (one SQLite transaction here, one server transaction later), then
 * tells screens showing `tables` to re-query and has the engine upload at once.
 */
export function writeAction<T>(ctx: HandlerContext, tables: readonly string[], fn: (ws: Workspace) => T): T {
  const ws = ctx.session.requireWorkspace();
  const result = ws.writes.transaction(() => fn(ws));
  ctx.emit('replica:changed', { tables: [...tables] });
  ws.afterLocalWrite(tables);
  return result;
}

/** The mutation ids of the writes that changed something (an update to the same values is none). */
export const mutationIds = (...receipts: (WriteReceipt | null)[]): string[] =>
  receipts.filter((r): r is WriteReceipt => r !== null).map((r) => r.mutationId);
