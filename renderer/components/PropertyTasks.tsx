/** The site's open tasks, each a link to its task screen. */
import { isOverdue } from '../../shared/api/task-status.js';
import type { TaskSummary } from '../../shared/api/views.js';
import { formatWhen } from '../lib/format.js';
import { OverdueBadge, PriorityBadge, TaskStatusBadge, UnsyncedBadge } from './Badges.js';
import { RouteLink } from './RouteLink.js';

export function PropertyTasks({ tasks, now }: { tasks: TaskSummary[]; now: Date }) {
  const sorted = [...tasks].sort(
    (a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') || a.title.localeCompare(b.title),
  );
  return (
    <section className="panel" aria-labelledby="open-tasks-heading">
      <h2 id="open-tasks-heading">
        Open tasks <span className="heading-count">{tasks.length || ''}</span>
      </h2>
      {sorted.length === 0 ? (
        <p className="muted">No open tasks at this site.</p>
      ) : (
        <ul className="site-tasks">
          {sorted.map((t) => (
            <li key={t.id}>
              <RouteLink to={{ screen: 'task', id: t.id }} className="site-task-link">
                {t.title}
              </RouteLink>
              <span className="site-task-meta">
                <TaskStatusBadge status={t.status} />
                <PriorityBadge priority={t.priority} />
                <span className="muted small">
                  {t.dueAt ? `Due ${formatWhen(t.dueAt, now)}` : 'No due date'} ·{' '}
                  {t.assignee ? t.assignee.name : 'Unassigned'}
                </span>
                {isOverdue(t, now) && <OverdueBadge />}
                {t.pending && <UnsyncedBadge />}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
