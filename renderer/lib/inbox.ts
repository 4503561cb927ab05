/** What the inbox asks of a person, from the overview's counts: decisions to make, and edits to acknowledge. */
import type { SyncOverview } from '../../shared/api/views.js';

export type InboxCounts = { decide: number; acknowledge: number; total: number };

export function inboxCounts(outbox: SyncOverview['outbox']): InboxCounts {
  const decide = outbox.conflicts + outbox.rejected;
  const acknowledge = outbox.overridden;
  return { decide, acknowledge, total: decide + acknowledge };
}
