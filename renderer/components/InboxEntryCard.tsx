/**
 * One conflict or rejected edit: what it was, why, and per field mine / theirs / base, with the two
 * ways out (inbox:resolve). For a rejection the same choices read "Try again" and "Discard my edit".
 */
import type { InboxEntry } from '../../shared/api/views.js';
import { useApi } from '../api/app-context.js';
import { formatAgo, formatFieldValue } from '../lib/format.js';
import { columnLabel, tableLabel } from '../lib/labels.js';
import { useAction } from '../lib/use-action.js';
import { ErrorAlert } from './Alert.js';

const OP_LABEL: Record<InboxEntry['op'], string> = { insert: 'New', update: 'Edit', delete: 'Deletion' };

type Props = { entry: InboxEntry; now: Date; onResolved: () => void };

export function InboxEntryCard({ entry, now, onResolved }: Props) {
  const api = useApi();
  const resolve = useAction(async (choice: 'mine' | 'theirs') => {
    await api.invoke('inbox:resolve', { mutationId: entry.mutationId, choice });
    onResolved();
  });
  const headingId = `inbox-${entry.mutationId}`;
  const conflict = entry.kind === 'conflict';
  const reason =
    entry.reason?.message ?? (conflict ? 'Someone changed the same fields on the server while you edited them.' : null);
  return (
    <article className={`inbox-entry inbox-${entry.kind}`} aria-labelledby={headingId}>
      <header className="inbox-entry-header">
        <h3 id={headingId}>{entry.label}</h3>
        <span className="muted small">
          {OP_LABEL[entry.op]} · {tableLabel(entry.table)} · {formatAgo(entry.createdAt, now)}
        </span>
      </header>
      {reason && (
        <p className="inbox-reason">
          <span className="inbox-reason-label">{conflict ? 'Conflict' : 'Rejected'}:</span> {reason}
        </p>
      )}
      {entry.fields.length > 0 && (
        <table className="data-table inbox-fields">
          <caption className="visually-hidden">Fields of {entry.label}</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Mine</th>
              <th scope="col">Theirs</th>
              <th scope="col">Base</th>
            </tr>
          </thead>
          <tbody>
            {entry.fields.map((f) => (
              <tr key={f.column}>
                <th scope="row">{columnLabel(f.column)}</th>
                <td className="value-mine">{formatFieldValue(f.mine)}</td>
                <td className="value-theirs">{formatFieldValue(f.theirs)}</td>
                <td className="muted">{formatFieldValue(f.base)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="button-row">
        <button type="button" onClick={() => void resolve.run('mine')} disabled={resolve.busy}>
          {conflict ? 'Keep mine' : 'Try again'}
        </button>
        <button type="button" onClick={() => void resolve.run('theirs')} disabled={resolve.busy}>
          {conflict ? 'Take theirs' : 'Discard my edit'}
        </button>
      </div>
      {resolve.error && <ErrorAlert>Not resolved: {resolve.error}</ErrorAlert>}
    </article>
  );
}
