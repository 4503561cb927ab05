/** The conflict inbox in three groups: conflicts to decide, rejected edits, and edits a rule overrode. */
import { useRef } from 'react';
import type { InboxEntry } from '../../shared/api/views.js';
import { errorMessage } from '../lib/errors.js';
import { useNow } from '../lib/use-now.js';
import { useInbox } from '../stores/queries.js';
import { ErrorAlert } from './Alert.js';
import { InboxEntryCard } from './InboxEntryCard.js';

const GROUPS: { kind: InboxEntry['kind']; heading: string; empty: string }[] = [
  { kind: 'conflict', heading: 'Conflicts', empty: 'No conflicts to resolve.' },
  { kind: 'rejected', heading: 'Rejected edits', empty: 'The server has refused none of your edits.' },
  { kind: 'overridden', heading: 'Overridden edits', empty: 'No edits of yours were overridden.' },
];

function InboxGroup({
  group,
  entries,
  loaded,
}: {
  group: (typeof GROUPS)[number];
  entries: InboxEntry[];
  loaded: boolean;
}) {
  const now = useNow(30_000);
  // A resolved entry disappears with its buttons; keep the keyboard user in the section.
  const heading = useRef<HTMLHeadingElement>(null);
  const id = `inbox-${group.kind}-heading`;
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id} ref={heading} tabIndex={-1}>
        {group.heading} <span className="heading-count">{entries.length || ''}</span>
      </h2>
      {loaded && entries.length === 0 && <p className="muted">{group.empty}</p>}
      {entries.map((e) => (
        <InboxEntryCard key={e.mutationId} entry={e} now={now} onResolved={() => heading.current?.focus()} />
      ))}
    </section>
  );
}

export function InboxSection({ countsKey }: { countsKey: string }) {
  const { data, error, reload } = useInbox(countsKey);
  return (
    <>
      {error != null && (
        <ErrorAlert action={{ label: 'Try again', onClick: reload }}>
          The conflict inbox could not be loaded: {errorMessage(error)}
        </ErrorAlert>
      )}
      {GROUPS.map((g) => (
        <InboxGroup key={g.kind} group={g} entries={data?.filter((e) => e.kind === g.kind) ?? []} loaded={!!data} />
      ))}
    </>
  );
}
