import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '../../shared/api/views.js';
import { sortMyWork, summarizeMyWork } from './my-work.js';

let n = 0;
const task = (over: Partial<TaskSummary>): TaskSummary => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  title: 'Task',
  status: 'open',
  priority: 'normal',
  dueAt: null,
  scheduledStart: null,
  property: { id: '00000000-0000-4000-8000-000000000000', name: 'Site', addressLine1: '1 Main St', city: 'Seattle' },
  assignee: null,
  checklist: { done: 0, total: 0 },
  pending: false,
  ...over,
});

describe('sortMyWork', () => {
  it('orders by due date, undated last, then by priority, then by title', () => {
    const tasks = [
      task({ title: 'undated urgent', priority: 'urgent' }),
      task({ title: 'late low', dueAt: '2026-03-12T09:00:00Z', priority: 'low' }),
      task({ title: 'b late urgent', dueAt: '2026-03-12T09:00:00Z', priority: 'urgent' }),
      task({ title: 'a late urgent', dueAt: '2026-03-12T09:00:00Z', priority: 'urgent' }),
      task({ title: 'early', dueAt: '2026-03-10T09:00:00+02:00' }),
    ];
    expect(sortMyWork(tasks).map((t) => t.title)).toEqual([
      'early',
      'a late urgent',
      'b late urgent',
      'late low',
      'undated urgent',
    ]);
  });

  it('leaves its input alone', () => {
    const tasks = [task({ title: 'b' }), task({ title: 'a' })];
    sortMyWork(tasks);
    expect(tasks.map((t) => t.title)).toEqual(['b', 'a']);
  });
});

describe('summarizeMyWork', () => {
  it('counts overdue open tasks (closed ones never are) and unsynced ones', () => {
    const now = new Date('2026-03-11T12:00:00Z');
    const tasks = [
      task({ dueAt: '2026-03-10T12:00:00Z' }),
      task({ dueAt: '2026-03-10T12:00:00Z', status: 'done', pending: true }),
      task({ dueAt: '2026-03-12T12:00:00Z' }),
      task({ pending: true }),
    ];
    expect(summarizeMyWork(tasks, now)).toEqual({ total: 4, overdue: 1, unsynced: 2 });
  });
});
