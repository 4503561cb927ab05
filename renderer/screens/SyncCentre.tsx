/** The sync centre: honestly what is synced, what is waiting, what was refused and which conflicts need a person. */
import type { SyncOverview } from '../../shared/api/views.js';
import { useSync } from '../api/app-context.js';
import { ErrorAlert, Notice } from '../components/Alert.js';
import { InboxSection } from '../components/InboxSection.js';
import { OutboxPanel } from '../components/OutboxPanel.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { TableSyncList } from '../components/TableSyncList.js';
import { CONNECTION_LABEL, connectionOf } from '../lib/connection.js';
import { inboxCounts } from '../lib/inbox.js';
import { SYNC_STATE_LABEL } from '../lib/labels.js';
import { useNow } from '../lib/use-now.js';
import '../styles/sync-centre.css';

/** Idle means nothing is moving; it is not "all done" while edits wait for a person's decision. */
function IdleNote({ attention }: { attention: number }) {
  if (attention === 0) return <span className="sync-idle">Everything is synced.</span>;
  return (
    <span className="sync-attention">
      Synced; {attention === 1 ? '1 edit needs' : `${attention} edits need`} your attention below.
    </span>
  );
}

function SyncSummary({ overview }: { overview: SyncOverview }) {
  const connection = connectionOf(overview);
  return (
    <div className="sync-summary">
      <span className={`connection connection-${connection}`}>
        <span className="sync-dot" aria-hidden="true" />
        {CONNECTION_LABEL[connection]}
      </span>
      {connection === 'offline' && (
        <span className="muted">Edits are kept on this laptop and upload when the server is reachable again.</span>
      )}
      <span className="sync-state">
        State: <strong>{SYNC_STATE_LABEL[overview.state]}</strong>
      </span>
      {overview.idle && <IdleNote attention={inboxCounts(overview.outbox).total} />}
    </div>
  );
}

export function SyncCentre() {
  const overview = useSync((s) => s.overview);
  const now = useNow(15_000);
  return (
    <section className="screen sync-centre" aria-labelledby="sync-title">
      <div className="screen-header">
        <ScreenHeading id="sync-title">Sync centre</ScreenHeading>
      </div>
      {!overview ? (
        <p role="status">Reading the sync status…</p>
      ) : (
        <>
          <SyncSummary overview={overview} />
          {overview.lastError && <ErrorAlert>Sync stopped: {overview.lastError.message}</ErrorAlert>}
          {overview.state === 'initial' && (
            <Notice>The first download is in progress; you can work with what has arrived.</Notice>
          )}
          <div className="sync-columns">
            <section className="panel" aria-labelledby="tables-heading">
              <h2 id="tables-heading">Data on this laptop</h2>
              <TableSyncList tables={overview.tables} now={now} />
            </section>
            <div className="sync-side">
              <OutboxPanel overview={overview} now={now} />
              <InboxSection
                countsKey={`${overview.outbox.conflicts}/${overview.outbox.rejected}/${overview.outbox.overridden}`}
              />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
