/** The sync centre: honestly what is synced, what is waiting, what was refused and which conflicts need a person. */
import { useRef } from 'react';
import type { SyncOverview } from '../../shared/api/views.js';
import { useSync } from '../api/app-context.js';
import { ErrorAlert, Notice } from '../components/Alert.js';
import { InboxEntryCard } from '../components/InboxEntryCard.js';
import { OutboxPanel } from '../components/OutboxPanel.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { TableSyncList } from '../components/TableSyncList.js';
import { errorMessage } from '../lib/errors.js';
import { SYNC_STATE_LABEL } from '../lib/labels.js';
import { useNow } from '../lib/use-now.js';
import { useInbox } from '../stores/queries.js';
import '../styles/sync-centre.css';

/** Idle means nothing is moving; it is not "all done" while edits wait for a person's decision. */
function IdleNote({ attention }: { attention: number }) {
  if (attention === 0) return <span className="sync-idle">Everything is synced.</span>;
  return (
    <span className="sync-attention">
      Synced; {attention === 1 ? '1 edit needs' : `${attention} edits need`} your decision below.
    </span>
  );
}

function SyncSummary({ overview }: { overview: SyncOverview }) {
  return (
    <div className="sync-summary">
      <span className={`connection connection-${overview.online ? 'online' : 'offline'}`}>
        <span className="sync-dot" aria-hidden="true" />
        {overview.online ? 'Online' : 'Offline'}
      </span>
      {!overview.online && (
        <span className="muted">Edits are kept on this laptop and upload when the server is reachable again.</span>
      )}
      <span className="sync-state">
        State: <strong>{SYNC_STATE_LABEL[overview.state]}</strong>
      </span>
      {overview.idle && <IdleNote attention={overview.outbox.conflicts + overview.outbox.rejected} />}
    </div>
  );
}

function InboxSection({ countsKey }: { countsKey: string }) {
  const now = useNow(30_000);
  // A resolved entry disappears with its buttons; keep the keyboard user in the section.
  const conflictsHeading = useRef<HTMLHeadingElement>(null);
  const rejectedHeading = useRef<HTMLHeadingElement>(null);
  const { data, error, reload } = useInbox(countsKey);
  const conflicts = data?.filter((e) => e.kind === 'conflict') ?? [];
  const rejected = data?.filter((e) => e.kind === 'rejected') ?? [];
  return (
    <>
      {error != null && (
        <ErrorAlert action={{ label: 'Try again', onClick: reload }}>
          The conflict inbox could not be loaded: {errorMessage(error)}
        </ErrorAlert>
      )}
      <section className="panel" aria-labelledby="conflicts-heading">
        <h2 id="conflicts-heading" ref={conflictsHeading} tabIndex={-1}>
          Conflicts <span className="heading-count">{conflicts.length || ''}</span>
        </h2>
        {data && conflicts.length === 0 && <p className="muted">No conflicts to resolve.</p>}
        {conflicts.map((e) => (
          <InboxEntryCard key={e.mutationId} entry={e} now={now} onResolved={() => conflictsHeading.current?.focus()} />
        ))}
      </section>
      <section className="panel" aria-labelledby="rejected-heading">
        <h2 id="rejected-heading" ref={rejectedHeading} tabIndex={-1}>
          Rejected edits <span className="heading-count">{rejected.length || ''}</span>
        </h2>
        {data && rejected.length === 0 && <p className="muted">The server has refused none of your edits.</p>}
        {rejected.map((e) => (
          <InboxEntryCard key={e.mutationId} entry={e} now={now} onResolved={() => rejectedHeading.current?.focus()} />
        ))}
      </section>
    </>
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
              <InboxSection countsKey={`${overview.outbox.conflicts}/${overview.outbox.rejected}`} />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
