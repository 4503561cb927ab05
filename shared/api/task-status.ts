/**
 * Which status a task may move to next, by role. Technicians work the task (start, block, finish);
 * managers may also re-plan it (schedule, cancel, reopen). One rule for the screens and for main,
 * which checks it before queueing an edit.
 */
import type { Role } from '../schema/roles.js';
import type { TASK_STATUSES } from '../schema/tables.js';

export type TaskStatus = (typeof TASK_STATUSES)[number];

const WORK: Record<TaskStatus, readonly TaskStatus[]> = {
  open: ['in_progress'],
  scheduled: ['in_progress'],
  in_progress: ['blocked', 'done'],
  blocked: ['in_progress'],
  done: [],
  cancelled: [],
};

const PLAN: Record<TaskStatus, readonly TaskStatus[]> = {
  open: ['scheduled', 'cancelled'],
  scheduled: ['open', 'cancelled'],
  in_progress: ['cancelled'],
  blocked: ['cancelled'],
  done: ['in_progress'],
  cancelled: ['open'],
};

export function nextStatuses(current: TaskStatus, role: Role): TaskStatus[] {
  const manager = role !== 'technician';
  return [...new Set([...WORK[current], ...(manager ? PLAN[current] : [])])];
}

export const isClosed = (status: TaskStatus): boolean => status === 'done' || status === 'cancelled';

/** Overdue: due before `now` and not closed. */
export const isOverdue = (task: { status: TaskStatus; dueAt: string | null }, now: Date): boolean =>
  task.dueAt !== null && !isClosed(task.status) && Date.parse(task.dueAt) < now.getTime();
