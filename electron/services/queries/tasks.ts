/**
 * Tasks as screens show them: summaries (views.ts taskSummarySchema) for lists, and the full detail
 * of one task. Related rows are read per list of ids (see sql.ts), never per row.
 */
import { nextStatuses, type TaskStatus } from '../../../shared/api/task-status.js';
import type { TaskDetail, TaskSummary } from '../../../shared/api/views.js';
import type { Role } from '../../../shared/schema/roles.js';
import type { Replica } from '../../../sync/client/replica/open-replica.js';
import { contactsForSite } from './contacts.js';
import { devicesByIds } from './devices.js';
import { peopleNames, personRef, type PeopleNames } from './people.js';
import { bool, byId, IN_LIST, NIL_UUID, num, numOrNull, pendingIds, rowsForIds, stmt } from './sql.js';

export type TaskRow = {
  id: string;
  title: string;
  status: TaskStatus;
  priority: TaskSummary['priority'];
  due_at: string | null;
  scheduled_start: string | null;
  property_id: string;
  assignee_id: string | null;
};

export const TASK_COLUMNS = 'id, title, status, priority, due_at, scheduled_start, property_id, assignee_id';
const CLOSED = `('done', 'cancelled')`;
/** Soonest due first; undated last. */
export const TASK_ORDER = 'ORDER BY due_at IS NULL, due_at, title COLLATE NOCASE, id';

type PropertyRef = { id: string; name: string; address_line1: string; city: string };

/** Summaries of these task rows, in their order. */
export function taskSummaries(
  db: Replica,
  rows: readonly TaskRow[],
  names: PeopleNames = peopleNames(db),
): TaskSummary[] {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const properties = byId(
    rowsForIds<PropertyRef>(db, `SELECT id, name, address_line1, city FROM properties_view WHERE id IN ${IN_LIST}`, [
      ...new Set(rows.map((r) => r.property_id)),
    ]),
  );
  const counts = new Map(
    rowsForIds<{ task_id: string; total: number; done: number }>(
      db,
      `SELECT task_id, count(*) AS total, total(is_completed) AS done FROM task_subtasks_view
       WHERE deleted_at IS NULL AND task_id IN ${IN_LIST} GROUP BY task_id`,
      ids,
    ).map((c) => [c.task_id, c]),
  );
  const pending = pendingIds(db, 'tasks', ids);
  for (const r of rowsForIds<{ task_id: string }>(
    db,
    `SELECT DISTINCT task_id FROM local_task_subtasks WHERE task_id IN ${IN_LIST}`,
    ids,
  ))
    pending.add(r.task_id);
  return rows.map((t) => {
    const p = properties.get(t.property_id);
    const c = counts.get(t.id);
    return {
      id: t.id,
      title: t.title,
      status: t.status,
      priority: t.priority,
      dueAt: t.due_at,
      scheduledStart: t.scheduled_start,
      property: {
        id: t.property_id,
        name: p?.name ?? 'Unknown site',
        addressLine1: p?.address_line1 ?? '',
        city: p?.city ?? '',
      },
      assignee: personRef(names, t.assignee_id),
      checklist: { done: num(c?.done ?? 0), total: num(c?.total ?? 0) },
      pending: pending.has(t.id),
    };
  });
}

/** The tasks assigned to `userId`, open ones unless `includeClosed`. */
export function myTasks(db: Replica, userId: string, includeClosed: boolean): TaskSummary[] {
  const rows = stmt(
    db,
    `SELECT ${TASK_COLUMNS} FROM tasks_view WHERE assignee_id = ? AND deleted_at IS NULL
     ${includeClosed ? '' : `AND status NOT IN ${CLOSED}`} ${TASK_ORDER}`,
  ).all(userId) as TaskRow[];
  return taskSummaries(db, rows);
}

/** A site's open tasks. */
export function openTasksOfProperty(db: Replica, propertyId: string, names?: PeopleNames): TaskSummary[] {
  const rows = stmt(
    db,
    `SELECT ${TASK_COLUMNS} FROM tasks_view WHERE property_id = ? AND deleted_at IS NULL
     AND status NOT IN ${CLOSED} ${TASK_ORDER}`,
  ).all(propertyId) as TaskRow[];
  return taskSummaries(db, rows, names);
}

type DetailRow = TaskRow & {
  description: string | null;
  notes: string | null;
  tags: string | null;
  estimated_minutes: number | null;
  completed_at: string | null;
  completed_by: string | null;
  project_id: string | null;
};

type SiteRow = {
  id: string;
  name: string;
  address_line1: string;
  address_line2: string | null;
  city: string;
  region: string;
  postal_code: string;
  access_notes: string | null;
  latitude: number | null;
  longitude: number | null;
  account_id: string;
};

/** The task as its detail screen shows it, or undefined when it is not here (or deleted). */
export function taskDetail(db: Replica, id: string, role: Role): TaskDetail | undefined {
  const t = stmt(
    db,
    `SELECT ${TASK_COLUMNS}, description, notes, tags, estimated_minutes, completed_at, completed_by, project_id
     FROM tasks_view WHERE id = ? AND deleted_at IS NULL`,
  ).get(id) as DetailRow | undefined;
  if (!t) return undefined;
  const names = peopleNames(db);
  const [summary] = taskSummaries(db, [t], names);
  const site = stmt(
    db,
    `SELECT id, name, address_line1, address_line2, city, region, postal_code, access_notes, latitude, longitude,
            account_id FROM properties_view WHERE id = ?`,
  ).get(t.property_id) as SiteRow | undefined;
  const account = site
    ? (stmt(db, `SELECT id, name FROM accounts_view WHERE id = ?`).get(site.account_id) as
        { id: string; name: string } | undefined)
    : undefined;
  const project = t.project_id
    ? (stmt(db, `SELECT name FROM projects_view WHERE id = ?`).pluck().get(t.project_id) as string | undefined)
    : undefined;
  return {
    ...summary!,
    description: t.description,
    notes: t.notes,
    tags: t.tags ? (JSON.parse(t.tags) as string[]) : [],
    estimatedMinutes: numOrNull(t.estimated_minutes),
    completedAt: t.completed_at,
    completedBy: personRef(names, t.completed_by),
    projectName: project ?? null,
    property: {
      ...summary!.property,
      addressLine2: site?.address_line2 ?? null,
      region: site?.region ?? '',
      postalCode: site?.postal_code ?? '',
      accessNotes: site?.access_notes ?? null,
      latitude: site?.latitude ?? null,
      longitude: site?.longitude ?? null,
      account: { id: site?.account_id ?? NIL_UUID, name: account?.name ?? 'Unknown account' },
    },
    checklistItems: checklistOf(db, t.id, names),
    devices: devicesOfTask(db, t.id),
    contacts: contactsForSite(db, t.property_id, site?.account_id ?? null),
    activity: activityOf(db, t.id, names),
    nextStatuses: nextStatuses(t.status, role),
  };
}

type ChecklistRow = {
  id: string;
  title: string;
  position: number;
  is_completed: number;
  completed_at: string | null;
  completed_by: string | null;
  notes: string | null;
};

function checklistOf(db: Replica, taskId: string, names: PeopleNames): TaskDetail['checklistItems'] {
  const rows = stmt(
    db,
    `SELECT id, title, position, is_completed, completed_at, completed_by, notes FROM task_subtasks_view
     WHERE task_id = ? AND deleted_at IS NULL ORDER BY position, id`,
  ).all(taskId) as ChecklistRow[];
  const pending = pendingIds(
    db,
    'task_subtasks',
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    position: num(r.position),
    isCompleted: bool(r.is_completed),
    completedAt: r.completed_at,
    completedBy: personRef(names, r.completed_by),
    notes: r.notes,
    pending: pending.has(r.id),
  }));
}

function devicesOfTask(db: Replica, taskId: string): TaskDetail['devices'] {
  const links = stmt(
    db,
    `SELECT id, device_id, action FROM task_devices_view WHERE task_id = ? ORDER BY created_at, id`,
  ).all(taskId) as { id: string; device_id: string; action: string }[];
  const devices = byId(
    devicesByIds(
      db,
      links.map((l) => l.device_id),
    ),
  );
  return links
    .filter((l) => devices.has(l.device_id))
    .map((l) => ({ linkId: l.id, action: l.action, device: devices.get(l.device_id)! }));
}

function activityOf(db: Replica, taskId: string, names: PeopleNames): TaskDetail['activity'] {
  const rows = stmt(
    db,
    `SELECT id, action, description, user_id, created_at FROM task_activities_view
     WHERE task_id = ? ORDER BY created_at DESC, id LIMIT 200`,
  ).all(taskId) as {
    id: string;
    action: string;
    description: string | null;
    user_id: string | null;
    created_at: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    description: r.description,
    user: personRef(names, r.user_id),
    createdAt: r.created_at ?? '',
  }));
}

/** The few columns a write needs to check against, or undefined when the task is not here. */
export const taskForWrite = (db: Replica, id: string) =>
  stmt(db, `SELECT id, title, status, property_id FROM tasks_view WHERE id = ? AND deleted_at IS NULL`).get(id) as
    { id: string; title: string; status: TaskStatus; property_id: string } | undefined;

export const checklistItemForWrite = (db: Replica, id: string) =>
  stmt(db, `SELECT id, task_id, is_completed FROM task_subtasks_view WHERE id = ? AND deleted_at IS NULL`).get(id) as
    { id: string; task_id: string; is_completed: number } | undefined;
