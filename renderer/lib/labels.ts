/** Words people read for the schema's enum values. */
import type { TaskSummary, Device, DeviceType, SyncOverview, TableStatusView } from '../../shared/api/views.js';
import { formatFieldValue } from './format.js';

export const TASK_STATUS_LABEL: Record<TaskSummary['status'], string> = {
  open: 'Open',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  blocked: 'Blocked',
  done: 'Done',
  cancelled: 'Cancelled',
};

export const PRIORITY_LABEL: Record<TaskSummary['priority'], string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

export const DEVICE_STATUS_LABEL: Record<Device['status'], string> = {
  planned: 'Planned',
  installed: 'Installed',
  active: 'Active',
  faulty: 'Faulty',
  offline: 'Offline',
  removed: 'Removed',
};

export const DEVICE_CATEGORY_LABEL: Record<DeviceType['category'], string> = {
  camera: 'Camera',
  nvr: 'Recorder (NVR)',
  access_reader: 'Access reader',
  door_contact: 'Door contact',
  motion_sensor: 'Motion sensor',
  glass_break: 'Glass break',
  panel: 'Alarm panel',
  keypad: 'Keypad',
  siren: 'Siren',
  other: 'Other',
};

export const SYNC_STATE_LABEL: Record<SyncOverview['state'], string> = {
  'signed-out': 'Signed out',
  starting: 'Starting',
  initial: 'First sync in progress',
  live: 'Up to date',
  offline: 'Offline',
  error: 'Sync problem',
};

export const TABLE_PHASE_LABEL: Record<TableStatusView['phase'], string> = {
  initial: 'Downloading',
  live: 'Up to date',
  offline: 'Offline',
  error: 'Error',
};

/** "task_subtasks" → "Task subtasks"; a few get the name people use. */
const TABLE_NAMES: Record<string, string> = {
  task_subtasks: 'Checklist items',
  task_devices: 'Task devices',
  task_activities: 'Task activity',
  task_subtask_assignees: 'Checklist assignees',
  organization_members: 'Members',
  user_profiles: 'People',
  activity_logs: 'Activity log',
};

export const tableLabel = (table: string): string =>
  TABLE_NAMES[table] ?? table.charAt(0).toUpperCase() + table.slice(1).replaceAll('_', ' ');

/** "assignee_id" → "Assignee", "due_at" → "Due", "is_completed" → "Completed". */
export const columnLabel = (column: string): string => {
  const words = column
    .replace(/_(id|at)$/, '')
    .replace(/^is_/, '')
    .split('_');
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/** Enum columns people know by their words ("In progress", not "in_progress"). */
const ENUM_LABELS: Record<string, Record<string, string>> = {
  'tasks.status': TASK_STATUS_LABEL,
  'tasks.priority': PRIORITY_LABEL,
  'devices.status': DEVICE_STATUS_LABEL,
};

/** A value from the inbox, shown in a table cell: enum words where known, else formatFieldValue. */
export function fieldValueLabel(table: string, column: string, value: unknown): string {
  const words = ENUM_LABELS[`${table}.${column}`];
  return typeof value === 'string' && words?.[value] ? words[value] : formatFieldValue(value);
}
