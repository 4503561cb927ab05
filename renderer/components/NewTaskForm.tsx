/** Dispatch's "New task" for a site: title, description, priority, due, assignee and checklist, as one tasks:create. */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ChannelInput } from '../../shared/api/contract.js';
import { TASK_PRIORITIES } from '../../shared/schema/tables.js';
import { useApi } from '../api/app-context.js';
import { errorMessage } from '../lib/errors.js';
import { PRIORITY_LABEL } from '../lib/labels.js';
import { EMPTY_NEW_TASK, newTaskInput, type NewTaskFields } from '../lib/new-task.js';
import { useAction } from '../lib/use-action.js';
import { useMembers } from '../stores/queries.js';
import { ErrorAlert } from './Alert.js';

type Props = {
  propertyId: string;
  onCreated: (task: { id: string; title: string }) => void;
  onCancel: () => void;
};

const ROLE_WORD = { owner: 'owner', admin: 'admin', dispatcher: 'dispatcher', technician: 'technician' } as const;

export function NewTaskForm({ propertyId, onCreated, onCancel }: Props) {
  const api = useApi();
  const id = useId();
  const members = useMembers();
  const [fields, setFields] = useState<NewTaskFields>(EMPTY_NEW_TASK);
  const [problem, setProblem] = useState<{ field: keyof NewTaskFields; text: string } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => formRef.current?.querySelector<HTMLElement>('input')?.focus(), []);
  const set = (key: keyof NewTaskFields) => (value: string) => setFields((f) => ({ ...f, [key]: value }));
  const created = useRef<string | null>(null);
  const create = useAction(async (input: ChannelInput<'tasks:create'>) => {
    created.current = (await api.invoke('tasks:create', input)).taskId;
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const check = newTaskInput(propertyId, fields);
    if (!check.ok) {
      setProblem({ field: check.field, text: check.problem });
      formRef.current?.querySelector<HTMLElement>(`#${CSS.escape(`${id}-${check.field}`)}`)?.focus();
      return;
    }
    setProblem(null);
    if ((await create.run(check.input)) && created.current)
      onCreated({ id: created.current, title: check.input.title });
  };

  const invalid = (field: keyof NewTaskFields) => (problem?.field === field ? true : undefined);
  const busy = create.busy;
  return (
    <form ref={formRef} className="new-task" aria-label="New task" onSubmit={submit} noValidate>
      <div className="form-grid">
        <div className="field field-full">
          <label htmlFor={`${id}-title`}>Title</label>
          <input
            id={`${id}-title`}
            value={fields.title}
            onChange={(e) => set('title')(e.target.value)}
            aria-invalid={invalid('title')}
            maxLength={300}
            disabled={busy}
          />
        </div>
        <div className="field field-full">
          <label htmlFor={`${id}-description`}>Description</label>
          <textarea
            id={`${id}-description`}
            rows={3}
            value={fields.description}
            onChange={(e) => set('description')(e.target.value)}
            maxLength={10_000}
            disabled={busy}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <select
            id={`${id}-priority`}
            value={fields.priority}
            onChange={(e) => set('priority')(e.target.value)}
            disabled={busy}
          >
            {TASK_PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABEL[p]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-due`}>Due</label>
          <input
            id={`${id}-due`}
            type="datetime-local"
            value={fields.due}
            onChange={(e) => set('due')(e.target.value)}
            aria-invalid={invalid('due')}
            disabled={busy}
          />
        </div>
        <div className="field field-wide">
          <label htmlFor={`${id}-assigneeId`}>Assignee</label>
          <select
            id={`${id}-assigneeId`}
            value={fields.assigneeId}
            onChange={(e) => set('assigneeId')(e.target.value)}
            disabled={busy || !members.data}
          >
            <option value="">Unassigned</option>
            {(members.data ?? []).map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name} ({ROLE_WORD[m.role]})
              </option>
            ))}
          </select>
          {members.error != null && (
            <span className="inline-error">People could not be loaded: {errorMessage(members.error)}</span>
          )}
        </div>
        <div className="field field-full">
          <label htmlFor={`${id}-checklist`}>Checklist</label>
          <textarea
            id={`${id}-checklist`}
            rows={4}
            value={fields.checklist}
            onChange={(e) => set('checklist')(e.target.value)}
            aria-invalid={invalid('checklist')}
            aria-describedby={`${id}-checklist-hint`}
            disabled={busy}
          />
          <span id={`${id}-checklist-hint`} className="muted form-hint">
            One item per line.
          </span>
        </div>
      </div>
      {(problem ?? create.error) && (
        <ErrorAlert>{problem ? problem.text : `The task was not created: ${create.error}`}</ErrorAlert>
      )}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create task'}
        </button>
        <button type="button" className="button-quiet" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
