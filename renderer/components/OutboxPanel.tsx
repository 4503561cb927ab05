/** Local edits on their way to the server: waiting, awaiting confirmation, the last upload error; Retry now. */
import type { SyncOverview } from '../../shared/api/views.js';
import { useSync } from '../api/app-context.js';
import { asSentence, formatAgo, formatCount } from '../lib/format.js';
import { useAction } from '../lib/use-action.js';
import { ErrorAlert } from './Alert.js';

export function OutboxPanel({ overview, now }: { overview: SyncOverview; now: Date }) {
  const retry = useSync((s) => s.retry);
  const action = useAction(retry);
  const { outbox } = overview;
  const empty = outbox.queued === 0 && outbox.awaitingConfirmation === 0;
  return (
    <section className="panel" aria-labelledby="outbox-heading">
      <div className="panel-header">
        <h2 id="outbox-heading">Local edits</h2>
        <button type="button" onClick={() => void action.run()} disabled={action.busy}>
          {action.busy ? 'Retrying…' : 'Retry now'}
        </button>
      </div>
      <dl className="stat-list">
        <div>
          <dt>Waiting to upload</dt>
          <dd>{formatCount(outbox.queued)}</dd>
        </div>
        <div>
          <dt>Uploaded, awaiting confirmation</dt>
          <dd>{formatCount(outbox.awaitingConfirmation)}</dd>
        </div>
        <div>
          <dt>Oldest waiting since</dt>
          <dd>{outbox.oldestQueuedAt ? formatAgo(outbox.oldestQueuedAt, now) : '—'}</dd>
        </div>
      </dl>
      {empty && !outbox.lastUploadError && <p className="muted">Every edit made on this laptop is on the server.</p>}
      {outbox.lastUploadError && (
        <ErrorAlert>
          The last upload failed: {asSentence(outbox.lastUploadError.message)}{' '}
          {overview.online ? 'It will be retried shortly.' : 'It will be retried when the server is reachable.'}
        </ErrorAlert>
      )}
      {action.error && <ErrorAlert>Retry failed: {action.error}</ErrorAlert>}
    </section>
  );
}
