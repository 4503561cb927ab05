/**
 * The task's notes: edited freely, saved only on Save or Ctrl+S / Cmd+S. While nobody is editing,
 * the text follows the replica (someone else's edit shows up); a draft is never overwritten.
 */
import { useEffect, useId, useState } from 'react';
import { useApi } from '../api/app-context.js';
import { useAction } from '../lib/use-action.js';
import { ErrorAlert } from './Alert.js';

export function NotesEditor({ taskId, notes }: { taskId: string; notes: string | null }) {
  const api = useApi();
  const id = useId();
  const current = notes ?? '';
  const [draft, setDraft] = useState<string | null>(null);
  // What was just saved, shown until the replica's re-read brings it back (no flash of the old text).
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setSaved(null), [current]);

  const shown = draft ?? saved ?? current;
  const dirty = draft !== null && draft !== (saved ?? current);
  const save = useAction(async () => {
    if (draft === null) return;
    const value = draft;
    await api.invoke('tasks:update', { id: taskId, changes: { notes: value.trim() ? value : null } });
    setSaved(value === current ? null : value);
    setDraft((d) => (d === value ? null : d));
  });

  // Ctrl+S / Cmd+S saves from anywhere on the task; the browser's "save page" never opens here.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
        e.preventDefault();
        if (dirty && !save.busy) void save.run();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dirty, save]);

  return (
    // A plain panel, not a labelled region: getByLabel('Notes') must find the textarea alone.
    <div className="panel">
      <form
        className="notes-editor"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <h2>
          <label htmlFor={id}>Notes</label>
        </h2>
        <textarea id={id} rows={5} value={shown} onChange={(e) => setDraft(e.target.value)} maxLength={10_000} />
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={!dirty || save.busy}>
            {save.busy ? 'Saving…' : 'Save notes'}
          </button>
          {dirty && (
            <button type="button" className="button-quiet" onClick={() => setDraft(null)} disabled={save.busy}>
              Discard changes
            </button>
          )}
          <span className="muted form-hint" aria-live="polite">
            {dirty ? 'Unsaved changes · Ctrl+S saves' : ''}
          </span>
        </div>
        {save.error && <ErrorAlert>The notes were not saved: {save.error}</ErrorAlert>}
      </form>
    </div>
  );
}
