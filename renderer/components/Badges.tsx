/** Small labelled markers. Each says its meaning in text; colour only repeats it. */
import type { Device, TaskSummary } from '../../shared/api/views.js';
import { DEVICE_STATUS_LABEL, PRIORITY_LABEL, TASK_STATUS_LABEL } from '../lib/labels.js';

export function TaskStatusBadge({ status }: { status: TaskSummary['status'] }) {
  return <span className={`badge badge-status-${status}`}>{TASK_STATUS_LABEL[status]}</span>;
}

export function PriorityBadge({ priority }: { priority: TaskSummary['priority'] }) {
  return <span className={`badge badge-priority-${priority}`}>{PRIORITY_LABEL[priority]}</span>;
}

export function DeviceStatusBadge({ status }: { status: Device['status'] }) {
  return <span className={`badge badge-device-${status}`}>{DEVICE_STATUS_LABEL[status]}</span>;
}

export function UnsyncedBadge({
  title = 'Edited on this laptop; not yet confirmed by the server',
}: {
  title?: string;
}) {
  return (
    <span className="badge badge-unsynced" title={title}>
      Unsynced
    </span>
  );
}

export function OverdueBadge() {
  return <span className="badge badge-overdue">Overdue</span>;
}
