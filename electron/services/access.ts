/**
 * Role checks made before an edit is queued, mirroring what the server will enforce (the table
 * access rules of shared/schema/tables.ts, which the RLS policies are tested against) plus the
 * app's own task rules (shared/api/task-status.ts). A refusal here queues nothing and says why.
 */
import { nextStatuses, type TaskStatus } from '../../shared/api/task-status.js';
import { ApiError } from '../../shared/api/result.js';
import { MANAGERS, type Role, type WriteOp } from '../../shared/schema/roles.js';
import { tableByName } from '../../shared/schema/tables.js';

const WORDS: Record<string, string> = {
  tasks: 'tasks',
  task_subtasks: 'checklist items',
  task_devices: 'task devices',
  task_activities: 'task activity',
  devices: 'devices',
};
const OPS: Record<WriteOp, string> = { insert: 'create', update: 'change', delete: 'delete' };
const ROLE_NAMES: Record<Role, string> = {
  owner: 'an owner',
  admin: 'an admin',
  dispatcher: 'a dispatcher',
  technician: 'a technician',
};

const list = (roles: readonly string[]) =>
  roles.length <= 1 ? roles.join('') : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`;

/** Throws forbidden unless `role` may make this kind of edit to `table`. */
export function assertMayWrite(role: Role, table: string, op: WriteOp): void {
  const def = tableByName(table);
  if (!def) throw new ApiError('internal', `"${table}" is not a synced table.`);
  const allowed = def.access[op];
  if (allowed.includes(role)) return;
  const what = WORDS[table] ?? table;
  throw new ApiError(
    'forbidden',
    allowed.length === 0
      ? `Nobody may ${OPS[op]} ${what} from the app.`
      : `As ${ROLE_NAMES[role]} you cannot ${OPS[op]} ${what}; ask a ${list(allowed)}.`,
  );
}

export const isManager = (role: Role): boolean => MANAGERS.includes(role);

const STATUS_WORDS: Record<TaskStatus, string> = {
  open: 'open',
  scheduled: 'scheduled',
  in_progress: 'in progress',
  blocked: 'blocked',
  done: 'done',
  cancelled: 'cancelled',
};

/** Throws forbidden unless `role` may move a task from `from` to `to` (see task-status.ts). */
export function assertStatusMove(role: Role, from: TaskStatus, to: TaskStatus): void {
  const allowed = nextStatuses(from, role);
  if (allowed.includes(to)) return;
  const options = allowed.length ? `it can go to ${list(allowed.map((s) => STATUS_WORDS[s]))}` : 'it cannot move on';
  throw new ApiError(
    'forbidden',
    `As ${ROLE_NAMES[role]} you cannot move a task from ${STATUS_WORDS[from]} to ${STATUS_WORDS[to]}; ${options}.`,
  );
}

/** Task fields only dispatch re-plans; a technician may change the description and notes. */
export const PLANNING_FIELDS = ['title', 'priority', 'dueAt', 'assigneeId'] as const;

export function assertMayPlan(role: Role, fields: readonly string[]): void {
  if (isManager(role)) return;
  const planning = fields.filter((f) => (PLANNING_FIELDS as readonly string[]).includes(f));
  if (planning.length === 0) return;
  throw new ApiError(
    'forbidden',
    `As a technician you can change a task's description and notes; ask dispatch to change its ${planning
      .map((f) => ({ title: 'title', priority: 'priority', dueAt: 'due date', assigneeId: 'assignee' })[f])
      .join(', ')}.`,
  );
}
