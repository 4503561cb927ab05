/** One task: status and its allowed moves, the site, notes, checklist, devices and recent activity. */
import { isOverdue } from '../../shared/api/task-status.js';
import type { TaskDetail } from '../../shared/api/views.js';
import { useNav } from '../api/app-context.js';
import { ActivityList } from '../components/ActivityList.js';
import { ErrorAlert } from '../components/Alert.js';
import { OverdueBadge, PriorityBadge, TaskStatusBadge, UnsyncedBadge } from '../components/Badges.js';
import { Checklist } from '../components/Checklist.js';
import { NotesEditor } from '../components/NotesEditor.js';
import { PropertyPanel } from '../components/PropertyPanel.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { TaskDevices } from '../components/TaskDevices.js';
import { TaskStatusActions } from '../components/TaskStatusActions.js';
import { errorCode, errorMessage } from '../lib/errors.js';
import { formatMinutes, formatWhen } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { useTaskDetail } from '../stores/queries.js';
import '../styles/task.css';

function TaskFacts({ task, now }: { task: TaskDetail; now: Date }) {
  return (
    <dl className="task-facts">
      <div>
        <dt>Status</dt>
        <dd>
          <TaskStatusBadge status={task.status} />
        </dd>
      </div>
      <div>
        <dt>Priority</dt>
        <dd>
          <PriorityBadge priority={task.priority} />
        </dd>
      </div>
      <div>
        <dt>Due</dt>
        <dd>
          {formatWhen(task.dueAt, now)} {isOverdue(task, now) && <OverdueBadge />}
        </dd>
      </div>
      {task.scheduledStart && (
        <div>
          <dt>Scheduled</dt>
          <dd>{formatWhen(task.scheduledStart, now)}</dd>
        </div>
      )}
      {task.estimatedMinutes !== null && (
        <div>
          <dt>Estimate</dt>
          <dd>{formatMinutes(task.estimatedMinutes)}</dd>
        </div>
      )}
      {task.projectName && (
        <div>
          <dt>Project</dt>
          <dd>{task.projectName}</dd>
        </div>
      )}
      {task.completedAt && (
        <div>
          <dt>Completed</dt>
          <dd>
            {formatWhen(task.completedAt, now)}
            {task.completedBy ? ` by ${task.completedBy.name}` : ''}
          </dd>
        </div>
      )}
    </dl>
  );
}

export function TaskScreen({ id }: { id: string }) {
  const back = useNav((s) => s.back);
  const { data: task, error, loading, reload } = useTaskDetail(id);
  const now = useNow();

  const backButton = (
    <button type="button" className="button-quiet back-button" onClick={back} title="Back (Alt+←)">
      ← Back
    </button>
  );
  if (!task) {
    return (
      <section className="screen task-screen">
        {backButton}
        {error != null ? (
          <>
            <ScreenHeading>Task not available</ScreenHeading>
            <ErrorAlert action={errorCode(error) === 'not_found' ? undefined : { label: 'Try again', onClick: reload }}>
              {errorCode(error) === 'not_found'
                ? 'This task is not on this laptop, or you may no longer see it.'
                : `The task could not be loaded: ${errorMessage(error)}`}
            </ErrorAlert>
          </>
        ) : (
          loading && <p role="status">Loading the task…</p>
        )}
      </section>
    );
  }

  return (
    <article className="screen task-screen" aria-labelledby="task-title">
      <div className="task-top">
        {backButton}
        <div className="task-title-row">
          <ScreenHeading id="task-title">{task.title}</ScreenHeading>
          {task.pending && <UnsyncedBadge />}
        </div>
        <p className="task-place muted">
          {task.property.name} · {task.property.addressLine1}, {task.property.city}
        </p>
        <TaskFacts task={task} now={now} />
        <TaskStatusActions task={task} />
        {error != null && (
          <ErrorAlert action={{ label: 'Try again', onClick: reload }}>
            Showing the last loaded copy; refreshing failed: {errorMessage(error)}
          </ErrorAlert>
        )}
      </div>
      <div className="task-columns">
        <div className="task-main">
          {task.description && (
            <section className="panel" aria-labelledby="description-heading">
              <h2 id="description-heading">Description</h2>
              <p className="prewrap">{task.description}</p>
            </section>
          )}
          <Checklist items={task.checklistItems} now={now} />
          <NotesEditor taskId={task.id} notes={task.notes} />
          <TaskDevices task={task} />
        </div>
        <aside className="task-side" aria-label="Site and activity">
          <PropertyPanel task={task} />
          <ActivityList activity={task.activity} now={now} />
        </aside>
      </div>
    </article>
  );
}
