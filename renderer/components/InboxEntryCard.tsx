/**
 * One inbox entry: what it was, why, and per field mine / theirs / base, with its ways out
 * (inbox:resolve). A conflict is decided (keep mine / take theirs); a rejection retried or
 * discarded; an edit a rule overrode is only acknowledged (keeping mine would undo the rule).
 */
import type { InboxEntry } from '../../shared/api/views.js';
import { useApi } from '../api/app-context.js';
import { formatAgo } from '../lib/format.js';
import { columnLabel, fieldValueLabel, tableLabel } from '../lib/labels.js';
import { useAction } from '../lib/use-action.js';
import { ErrorAlert } from './Alert.js';

type Choice = 'mine' | 'theirs' | 'acknowledge';

const KIND: Record<InboxEntry['kind'], { label: string; fallback: string | null; actions: [Choice, string][] }> = {
  conflict: {
    label: 'Conflict',
    fallback: 'Someone changed the same fields on the server while you edited them.',
    actions: [
      ['mine', 'Keep mine'],
      ['theirs', 'Take theirs'],
    ],
  },
  rejected: {
    label: 'Rejected',
    fallback: null,
    actions: [
      ['mine', 'Try again'],
      ['theirs', 'Discard my edit'],
    ],
  },
  overridden: {
    label: 'Overridden',
    fallback: 'A rule kept the server’s value for these fields.',
    actions: [['acknowledge', 'Acknowledge']],
  },
};

const OP_LABEL: Record<InboxEntry['op'], string> = { insert: 'New', update: 'Edit', delete: 'Deletion' };

type Field = InboxEntry['fields'][number];

/** A column a rule decided (not left to the person), and the rule's reason. */
const ruleNote = (f: Field): string | null =>
  f.rule || (f.resolution && f.resolution !== 'manual')
    ? (f.why ?? `Decided by the rule “${f.rule ?? f.resolution}”.`)
    : null;

function FieldRows({ table, field }: { table: string; field: Field }) {
  const show = (value: unknown) => fieldValueLabel(table, field.column, value);
  const note = ruleNote(field);
  return (
    <>
      <tr>
        <th scope="row">{columnLabel(field.column)}</th>
        <td className="value-mine">{show(field.mine)}</td>
        <td className="value-theirs">{show(field.theirs)}</td>
        <td className="muted">{show(field.base)}</td>
      </tr>
      {note && (
        <tr className="field-rule">
          <td colSpan={4}>
            <span className="field-rule-label">Rule:</span> {note}
          </td>
        </tr>
      )}
    </>
  );
}

type Props = { entry: InboxEntry; now: Date; onResolved: () => void };

export function InboxEntryCard({ entry, now, onResolved }: Props) {
  const api = useApi();
  const resolve = useAction(async (choice: Choice) => {
    await api.invoke('inbox:resolve', { mutationId: entry.mutationId, choice });
    onResolved();
  });
  const kind = KIND[entry.kind];
  const headingId = `inbox-${entry.mutationId}`;
  const reason = entry.reason?.message ?? kind.fallback;
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
          <span className="inbox-reason-label">{kind.label}:</span> {reason}
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
              <FieldRows key={f.column} table={entry.table} field={f} />
            ))}
          </tbody>
        </table>
      )}
      <div className="button-row">
        {kind.actions.map(([choice, label]) => (
          <button key={choice} type="button" onClick={() => void resolve.run(choice)} disabled={resolve.busy}>
            {label}
          </button>
        ))}
      </div>
      {resolve.error && <ErrorAlert>Not resolved: {resolve.error}</ErrorAlert>}
    </article>
  );
}
