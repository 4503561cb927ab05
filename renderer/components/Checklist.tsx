/**
 * The task's checklist. A tick shows at once (kept locally until the replica's re-read agrees), is
 * saved through checklist:toggle, and is marked Unsynced until the server confirms it.
 */
import { useEffect, useState } from 'react';
import type { ChecklistItem } from '../../shared/api/views.js';
import { useApi } from '../api/app-context.js';
import { errorMessage } from '../lib/errors.js';
import { formatWhen } from '../lib/format.js';
import { ErrorAlert } from './Alert.js';
import { UnsyncedBadge } from './Badges.js';

type Props = { items: ChecklistItem[]; now: Date };

function ChecklistRow({
  item,
  checked,
  now,
  onToggle,
}: {
  item: ChecklistItem;
  checked: boolean;
  now: Date;
  onToggle: (v: boolean) => void;
}) {
  const inputId = `check-${item.id}`;
  return (
    <li className={checked ? 'check-item check-item-done' : 'check-item'}>
      <input id={inputId} type="checkbox" checked={checked} onChange={(e) => onToggle(e.target.checked)} />
      <div className="check-body">
        <label htmlFor={inputId}>{item.title}</label>
        <div className="check-meta">
          {item.isCompleted && item.completedAt && (
            <span>
              Done{item.completedBy ? ` by ${item.completedBy.name}` : ''} · {formatWhen(item.completedAt, now)}
            </span>
          )}
          {item.pending && <UnsyncedBadge />}
        </div>
        {item.notes && <p className="check-notes">{item.notes}</p>}
      </div>
    </li>
  );
}

export function Checklist({ items, now }: Props) {
  const api = useApi();
  const [overrides, setOverrides] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [error, setError] = useState<string | null>(null);

  // Drop an override once the replica says the same thing.
  useEffect(() => {
    setOverrides((prev) => {
      const next = new Map([...prev].filter(([id, v]) => items.find((i) => i.id === id)?.isCompleted !== v));
      return next.size === prev.size ? prev : next;
    });
  }, [items]);

  const toggle = async (item: ChecklistItem, completed: boolean) => {
    setError(null);
    setOverrides((prev) => new Map(prev).set(item.id, completed));
    try {
      await api.invoke('checklist:toggle', { id: item.id, completed });
    } catch (e) {
      setOverrides((prev) => new Map([...prev].filter(([id]) => id !== item.id)));
      setError(`“${item.title}” was not changed: ${errorMessage(e)}`);
    }
  };

  const sorted = [...items].sort((a, b) => a.position - b.position);
  const done = sorted.filter((i) => overrides.get(i.id) ?? i.isCompleted).length;
  return (
    <section className="panel" aria-labelledby="checklist-heading">
      <h2 id="checklist-heading">
        Checklist <span className="heading-count">{sorted.length > 0 ? `${done} of ${sorted.length} done` : ''}</span>
      </h2>
      {error && <ErrorAlert>{error}</ErrorAlert>}
      {sorted.length === 0 ? (
        <p className="muted">This task has no checklist.</p>
      ) : (
        <ul className="checklist">
          {sorted.map((item) => (
            <ChecklistRow
              key={item.id}
              item={item}
              now={now}
              checked={overrides.get(item.id) ?? item.isCompleted}
              onToggle={(v) => void toggle(item, v)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
