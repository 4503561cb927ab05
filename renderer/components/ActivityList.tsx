/** What happened on the task recently, newest first. */
import { useState } from 'react';
import type { TaskDetail } from '../../shared/api/views.js';
import { formatAgo } from '../lib/format.js';

const SHOWN = 8;

export function ActivityList({ activity, now }: { activity: TaskDetail['activity']; now: Date }) {
  const [all, setAll] = useState(false);
  const sorted = [...activity].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const shown = all ? sorted : sorted.slice(0, SHOWN);
  return (
    <section className="panel" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Recent activity</h2>
      {sorted.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <ol className="activity">
          {shown.map((a) => (
            <li key={a.id}>
              <span className="activity-what">{a.description ?? a.action.replaceAll('_', ' ')}</span>
              <span className="muted small">
                {a.user ? `${a.user.name} · ` : ''}
                <time dateTime={a.createdAt} title={new Date(a.createdAt).toLocaleString()}>
                  {formatAgo(a.createdAt, now)}
                </time>
              </span>
            </li>
          ))}
        </ol>
      )}
      {sorted.length > SHOWN && (
        <button type="button" className="button-quiet button-small" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${sorted.length}`}
        </button>
      )}
    </section>
  );
}
