/** My work's order and summary: pure, so the rule is tested without a screen. */
import { isOverdue } from '../../shared/api/task-status.js';
import type { TaskSummary } from '../../shared/api/views.js';

const PRIORITY_RANK: Record<TaskSummary['priority'], number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** Due date first (undated last), then priority (urgent first), then title, then id for a stable order. */
export function compareMyWork(a: TaskSummary, b: TaskSummary): number {
  const dueA = a.dueAt ? Date.parse(a.dueAt) : Number.POSITIVE_INFINITY;
  const dueB = b.dueAt ? Date.parse(b.dueAt) : Number.POSITIVE_INFINITY;
  if (dueA !== dueB) return dueA < dueB ? -1 : 1;
  const rank = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
  if (rank !== 0) return rank;
  return a.title.localeCompare(b.title) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export const sortMyWork = (tasks: readonly TaskSummary[]): TaskSummary[] => [...tasks].sort(compareMyWork);

export type MyWorkSummary = { total: number; overdue: number; unsynced: number };

export function summarizeMyWork(tasks: readonly TaskSummary[], now: Date): MyWorkSummary {
  let overdue = 0;
  let unsynced = 0;
  for (const t of tasks) {
    if (isOverdue(t, now)) overdue++;
    if (t.pending) unsynced++;
  }
  return { total: tasks.length, overdue, unsynced };
}
