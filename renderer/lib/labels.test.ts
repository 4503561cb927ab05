import { describe, expect, it } from 'vitest';
import { columnLabel, fieldValueLabel, tableLabel } from './labels.js';

describe('labels', () => {
  it('names tables and columns as people say them', () => {
    expect(tableLabel('task_subtasks')).toBe('Checklist items');
    expect(tableLabel('device_types')).toBe('Device types');
    expect(columnLabel('assignee_id')).toBe('Assignee');
    expect(columnLabel('due_at')).toBe('Due');
    expect(columnLabel('is_completed')).toBe('Completed');
  });

  it('shows enum values in words for the columns that have them', () => {
    expect(fieldValueLabel('tasks', 'status', 'in_progress')).toBe('In progress');
    expect(fieldValueLabel('devices', 'status', 'faulty')).toBe('Faulty');
    expect(fieldValueLabel('tasks', 'notes', 'in_progress')).toBe('in_progress');
    expect(fieldValueLabel('tasks', 'status', null)).toBe('(empty)');
  });
});
