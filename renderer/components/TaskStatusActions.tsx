/** The moves this user may make from the task's status (nextStatuses from main), one button each. */
import { useRef } from 'react';
import type { TaskDetail } from '../../shared/api/views.js';
import { useApi } from '../api/app-context.js';
import { TASK_STATUS_LABEL } from '../lib/labels.js';
import { useAction } from '../lib/use-action.js';
import { ErrorAlert } from './Alert.js';

export function TaskStatusActions({ task }: { task: TaskDetail }) {
  const api = useApi();
  const group = useRef<HTMLDivElement>(null);
  const setStatus = useAction(async (status: TaskDetail['status']) => {
    await api.invoke('tasks:set-status', { id: task.id, status });
    // The clicked button goes away with the old status; keep the keyboard user on the group that stays.
    group.current?.focus();
  });
  return (
    <div className="status-actions">
      <div ref={group} tabIndex={-1} role="group" aria-label="Change status" className="button-row">
        {task.nextStatuses.length === 0 && <span className="muted">No further status changes for you here.</span>}
        {task.nextStatuses.map((status) => (
          <button
            key={status}
            type="button"
            className={status === 'done' ? 'button-primary' : status === 'cancelled' ? 'button-danger' : undefined}
            disabled={setStatus.busy}
            onClick={() => void setStatus.run(status)}
          >
            Mark {TASK_STATUS_LABEL[status].toLowerCase()}
          </button>
        ))}
      </div>
      {setStatus.error && <ErrorAlert>The status was not changed: {setStatus.error}</ErrorAlert>}
    </div>
  );
}
