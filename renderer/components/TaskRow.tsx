/** One task in My work: the title is the link (stretched over the row), the rest describes it. */
import { isOverdue } from '../../shared/api/task-status.js';
import type { TaskSummary } from '../../shared/api/views.js';
import { formatWhen } from '../lib/format.js';
import { OverdueBadge, PriorityBadge, TaskStatusBadge, UnsyncedBadge } from './Badges.js';
import { MiniMeter } from './ProgressBar.js';
import { RouteLink } from './RouteLink.js';

type Props = {
  task: TaskSummary;
  now: Date;
  focusable: boolean;
  onOpen: (task: TaskSummary) => void;
  onFocus: () => void;
};

export function TaskRow({ task, now, focusable, onOpen, onFocus }: Props) {
  const overdue = isOverdue(task, now);
  const describedBy = `task-${task.id}-due task-${task.id}-place task-${task.id}-meta`;
  return (
    <>
      <div className="task-row-due" id={`task-${task.id}-due`}>
        <span className={overdue ? 'due due-overdue' : 'due'}>
          {task.dueAt ? `Due ${formatWhen(task.dueAt, now)}` : 'No due date'}
        </span>
        {overdue && <OverdueBadge />}
      </div>
      <div className="task-row-main">
        <RouteLink
          to={{ screen: 'task', id: task.id }}
          className="task-row-link"
          tabIndex={focusable ? 0 : -1}
          aria-describedby={describedBy}
          onClick={() => onOpen(task)}
          onFocus={onFocus}
        >
          {task.title}
        </RouteLink>
        <span className="task-row-place" id={`task-${task.id}-place`}>
          {task.property.name} · {task.property.addressLine1}, {task.property.city}
        </span>
      </div>
      <div className="task-row-meta" id={`task-${task.id}-meta`}>
        <TaskStatusBadge status={task.status} />
        <PriorityBadge priority={task.priority} />
        <span className="task-row-checklist" title="Checklist items done">
          <MiniMeter done={task.checklist.done} total={task.checklist.total} />
          {task.checklist.total > 0 ? `${task.checklist.done}/${task.checklist.total} checklist` : 'No checklist'}
        </span>
        {task.pending && <UnsyncedBadge />}
      </div>
    </>
  );
}
