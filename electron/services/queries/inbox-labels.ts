/**
 * What a person recognises an inbox entry's row by ("Task: Replace panel battery"): read from the
 * replica when the row is here, else from the values the rejected edit carried, else the table.
 */
import type { InboxEntry as EntryView } from '../../../shared/api/views.js';
import type { InboxEntry } from '../../../sync/client/local/conflict-inbox.js';
import type { Replica } from '../../../sync/client/replica/open-replica.js';
import { stmt } from './sql.js';

type Labeler = { noun: string; sql?: string; fields?: string[] };

/** Per table: the noun, how to read the row's name from the replica, and which of its columns name it. */
const LABELERS: Record<string, Labeler> = {
  tasks: { noun: 'Task', sql: `SELECT title FROM tasks_view WHERE id = ?`, fields: ['title'] },
  task_subtasks: {
    noun: 'Checklist item',
    sql: `SELECT s.title || ' (' || coalesce(t.title, 'task') || ')' FROM task_subtasks_view s
          LEFT JOIN tasks_view t ON t.id = s.task_id WHERE s.id = ?`,
    fields: ['title'],
  },
  devices: { noun: 'Device', sql: `SELECT serial_number FROM devices_view WHERE id = ?`, fields: ['serial_number'] },
  task_devices: {
    noun: 'Device on task',
    sql: `SELECT coalesce(d.serial_number, 'device') || ' on ' || coalesce(t.title, 'a task') FROM task_devices_view l
          LEFT JOIN devices_view d ON d.id = l.device_id LEFT JOIN tasks_view t ON t.id = l.task_id WHERE l.id = ?`,
  },
  task_activities: {
    noun: 'Task note',
    sql: `SELECT coalesce(t.title, 'task') FROM task_activities_view a LEFT JOIN tasks_view t ON t.id = a.task_id
          WHERE a.id = ?`,
    fields: ['description'],
  },
  properties: { noun: 'Site', sql: `SELECT name FROM properties_view WHERE id = ?`, fields: ['name'] },
  accounts: { noun: 'Account', sql: `SELECT name FROM accounts_view WHERE id = ?`, fields: ['name'] },
  contacts: {
    noun: 'Contact',
    sql: `SELECT first_name || ' ' || last_name FROM contacts_view WHERE id = ?`,
    fields: ['last_name'],
  },
  projects: { noun: 'Project', sql: `SELECT name FROM projects_view WHERE id = ?`, fields: ['name'] },
  files: { noun: 'File', sql: `SELECT name FROM files_view WHERE id = ?`, fields: ['name'] },
  device_types: { noun: 'Device type', sql: `SELECT name FROM device_types_view WHERE id = ?`, fields: ['name'] },
};

const humanTable = (table: string) => {
  const words = table.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).replace(/s$/, '');
};

export function inboxLabel(db: Replica, entry: InboxEntry): string {
  const l = LABELERS[entry.table];
  const id = typeof entry.pk.id === 'string' ? entry.pk.id : undefined;
  const noun = l?.noun ?? humanTable(entry.table);
  if (l?.sql && id) {
    const name = stmt(db, l.sql).pluck().get(id);
    if (typeof name === 'string' && name) return `${noun}: ${name}`;
  }
  for (const field of l?.fields ?? []) {
    const mine = entry.fields.find((f) => f.column === field)?.mine;
    if (typeof mine === 'string' && mine) return `${noun}: ${mine}`;
  }
  return id ? `${noun} ${id.slice(0, 8)}` : noun;
}

export const labelled = (db: Replica, entry: InboxEntry): EntryView => ({ ...entry, label: inboxLabel(db, entry) });
