/** tasks:* and checklist:toggle. Every edit is checked against the role before it is queued. */
import type { Handlers, ParsedInput } from '../../../shared/api/contract.js';
import { ApiError } from '../../../shared/api/result.js';
import type { TaskStatus } from '../../../shared/api/task-status.js';
import { assertMayPlan, assertMayWrite, assertStatusMove } from '../access.js';
import { isActiveMember } from '../queries/people.js';
import { nowIso, toReplicaIso } from '../queries/sql.js';
import { checklistItemForWrite, myTasks, taskDetail, taskForWrite } from '../queries/tasks.js';
import type { Workspace } from '../workspace.js';
import { mutationIds, writeAction, type HandlerContext } from './context.js';

const TASK_GONE = 'This task is not on this computer: it may have been deleted, or it is not synced yet.';

const STATUS_WORDS: Record<TaskStatus, string> = {
  open: 'Open',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  blocked: 'Blocked',
  done: 'Done',
  cancelled: 'Cancelled',
};

function requireTask(ws: Workspace, id: string) {
  const task = taskForWrite(ws.db, id);
  if (!task) throw new ApiError('not_found', TASK_GONE);
  return task;
}

function checkAssignee(ws: Workspace, assigneeId: string | null | undefined): void {
  if (assigneeId && !isActiveMember(ws.db, assigneeId))
    throw new ApiError('invalid', 'The chosen assignee is not an active member of this organization.');
}

/** A history line on the task, when the role may add one (everyone may, by the table rules). */
function activity(ws: Workspace, taskId: string, action: string, description: string) {
  return ws.writes.insert('task_activities', {
    organization_id: ws.me.organizationId,
    task_id: taskId,
    user_id: ws.me.userId,
    action,
    description,
    created_at: nowIso(),
  });
}

type TaskChanges = ParsedInput<'tasks:update'>['changes'];

function taskColumns(c: TaskChanges): Record<string, unknown> {
  return {
    title: c.title,
    description: c.description,
    notes: c.notes,
    priority: c.priority,
    due_at: c.dueAt === undefined ? undefined : c.dueAt === null ? null : toReplicaIso(c.dueAt),
    assignee_id: c.assigneeId,
  };
}

export function taskHandlers(
  ctx: HandlerContext,
): Pick<
  Handlers,
  'tasks:mine' | 'tasks:get' | 'tasks:set-status' | 'tasks:update' | 'tasks:create' | 'checklist:toggle'
> {
  const ws = () => ctx.session.requireWorkspace();
  return {
    'tasks:mine': ({ includeClosed }) => myTasks(ws().db, ws().me.userId, includeClosed),

    'tasks:get': ({ id }) => {
      const detail = taskDetail(ws().db, id, ws().me.role);
      if (!detail) throw new ApiError('not_found', TASK_GONE);
      return detail;
    },

    'tasks:set-status': ({ id, status }) => {
      const w = ws();
      const task = requireTask(w, id);
      assertMayWrite(w.me.role, 'tasks', 'update');
      if (task.status === status) return { mutationIds: [] };
      assertStatusMove(w.me.role, task.status, status);
      const done = status === 'done';
      const reopened = task.status === 'done';
      return writeAction(ctx, ['tasks', 'task_activities'], () => ({
        mutationIds: mutationIds(
          w.writes.update(
            'tasks',
            { id },
            {
              status,
              ...(done ? { completed_at: nowIso(), completed_by: w.me.userId } : {}),
              ...(reopened ? { completed_at: null, completed_by: null } : {}),
            },
          ),
          activity(w, id, 'status_changed', `${STATUS_WORDS[task.status]} → ${STATUS_WORDS[status]}`),
        ),
      }));
    },

    'tasks:update': ({ id, changes }) => {
      const w = ws();
      requireTask(w, id);
      assertMayWrite(w.me.role, 'tasks', 'update');
      assertMayPlan(
        w.me.role,
        Object.keys(changes).filter((k) => changes[k as keyof TaskChanges] !== undefined),
      );
      checkAssignee(w, changes.assigneeId);
      return writeAction(ctx, ['tasks'], () => ({
        mutationIds: mutationIds(w.writes.update('tasks', { id }, taskColumns(changes))),
      }));
    },

    'tasks:create': (input) => {
      const w = ws();
      assertMayWrite(w.me.role, 'tasks', 'insert');
      if (input.checklist.length > 0) assertMayWrite(w.me.role, 'task_subtasks', 'insert');
      const site = w.db
        .prepare(`SELECT id FROM properties_view WHERE id = ? AND deleted_at IS NULL`)
        .get(input.propertyId);
      if (!site) throw new ApiError('invalid', 'That site is not on this computer: it may have been deleted.');
      checkAssignee(w, input.assigneeId);
      return writeAction(ctx, ['tasks', 'task_subtasks', 'task_activities'], () => {
        const now = nowIso();
        const task = w.writes.insert('tasks', {
          organization_id: w.me.organizationId,
          property_id: input.propertyId,
          title: input.title,
          description: input.description ?? null,
          priority: input.priority,
          status: 'open',
          due_at: input.dueAt ? toReplicaIso(input.dueAt) : null,
          assignee_id: input.assigneeId ?? null,
          created_by: w.me.userId,
          created_at: now,
        });
        const taskId = task.pk.id as string;
        const items = input.checklist.map((title, position) =>
          w.writes.insert('task_subtasks', {
            organization_id: w.me.organizationId,
            task_id: taskId,
            title,
            position,
            created_at: now,
          }),
        );
        return { taskId, mutationIds: mutationIds(task, ...items, activity(w, taskId, 'created', 'Task created')) };
      });
    },

    'checklist:toggle': ({ id, completed }) => {
      const w = ws();
      const item = checklistItemForWrite(w.db, id);
      if (!item) throw new ApiError('not_found', 'This checklist item is not on this computer any more.');
      assertMayWrite(w.me.role, 'task_subtasks', 'update');
      if ((item.is_completed === 1) === completed) return { mutationIds: [] };
      return writeAction(ctx, ['task_subtasks'], () => ({
        mutationIds: mutationIds(
          w.writes.update(
            'task_subtasks',
            { id },
            completed
              ? { is_completed: true, completed_at: nowIso(), completed_by: w.me.userId }
              : { is_completed: false, completed_at: null, completed_by: null },
          ),
        ),
      }));
    },
  };
}
