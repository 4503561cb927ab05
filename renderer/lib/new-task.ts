/** The "New task" form's fields as a tasks:create input, or what to tell the person first. Pure. */
import type { ChannelInput } from '../../shared/api/contract.js';
import type { TaskSummary } from '../../shared/api/views.js';

export type NewTaskFields = {
  title: string;
  description: string;
  priority: TaskSummary['priority'];
  /** An <input type="datetime-local"> value ("2026-03-12T09:30"), local time; '' for none. */
  due: string;
  /** A member's user id; '' for unassigned. */
  assigneeId: string;
  /** One checklist item per line. */
  checklist: string;
};

export const EMPTY_NEW_TASK: NewTaskFields = {
  title: '',
  description: '',
  priority: 'normal',
  due: '',
  assigneeId: '',
  checklist: '',
};

const MAX_ITEMS = 100;
const MAX_ITEM_LENGTH = 300;

/** The checklist box's lines, trimmed, blank ones dropped. */
export const checklistLines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** A datetime-local value (local time, no zone) as the ISO instant it means; null for none, undefined when unreadable. */
export function dueToIso(value: string): string | null | undefined {
  if (!value.trim()) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const at = new Date(value); // no zone in the text: read as local time, as the person meant it
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

export type NewTaskCheck =
  { ok: true; input: ChannelInput<'tasks:create'> } | { ok: false; problem: string; field: keyof NewTaskFields };

export function newTaskInput(propertyId: string, f: NewTaskFields): NewTaskCheck {
  const title = f.title.trim();
  if (!title) return { ok: false, field: 'title', problem: 'Enter a title for the task.' };
  if (title.length > 300) return { ok: false, field: 'title', problem: 'Keep the title under 300 characters.' };
  const dueAt = dueToIso(f.due);
  if (dueAt === undefined) return { ok: false, field: 'due', problem: 'The due date is not a date and time.' };
  const checklist = checklistLines(f.checklist);
  if (checklist.length > MAX_ITEMS)
    return { ok: false, field: 'checklist', problem: `A checklist can have up to ${MAX_ITEMS} items.` };
  const long = checklist.findIndex((l) => l.length > MAX_ITEM_LENGTH);
  if (long >= 0)
    return {
      ok: false,
      field: 'checklist',
      problem: `Checklist line ${long + 1} is longer than ${MAX_ITEM_LENGTH} characters.`,
    };
  return {
    ok: true,
    input: {
      propertyId,
      title,
      description: f.description.trim() || null,
      priority: f.priority,
      dueAt,
      assigneeId: f.assigneeId || null,
      checklist,
    },
  };
}
