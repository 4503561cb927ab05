/** The header's sync summary: online or offline, what is still unsynced, and the way to the Sync centre. */
import type { SyncOverview } from '../../shared/api/views.js';
import { useNav, useSync } from '../api/app-context.js';
import { CONNECTION_LABEL, connectionOf } from '../lib/connection.js';
import { plural } from '../lib/format.js';
import { inboxCounts } from '../lib/inbox.js';

function describe(overview: SyncOverview | null): { tone: string; text: string } {
  if (!overview) return { tone: 'unknown', text: 'Sync status…' };
  const connection = connectionOf(overview);
  const parts = [CONNECTION_LABEL[connection]];
  const unsynced = overview.outbox.queued + overview.outbox.awaitingConfirmation;
  if (unsynced > 0) parts.push(`${unsynced} unsynced`);
  else if (overview.online && (overview.state === 'initial' || overview.state === 'starting')) parts.push('syncing');
  const attention = inboxCounts(overview.outbox).total;
  if (attention > 0) parts.push(plural(attention, 'to review', 'to review'));
  const tone =
    overview.state === 'error' || attention > 0
      ? 'warning'
      : connection === 'offline'
        ? 'offline'
        : unsynced || connection === 'connecting'
          ? 'busy'
          : 'ok';
  return { tone, text: parts.join(' · ') };
}

export function SyncIndicator() {
  const overview = useSync((s) => s.overview);
  const route = useNav((s) => s.route);
  const navigate = useNav((s) => s.navigate);
  const { tone, text } = describe(overview);
  return (
    <button
      type="button"
      className={`sync-indicator sync-indicator-${tone}`}
      onClick={() => navigate({ screen: 'sync' })}
      aria-current={route.screen === 'sync' ? 'page' : undefined}
      title="Open the Sync centre"
    >
      <span className="sync-dot" aria-hidden="true" />
      {text}
    </button>
  );
}
