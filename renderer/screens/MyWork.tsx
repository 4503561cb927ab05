/** My work: the signed-in user's tasks, soonest due first, overdue ones marked in words. */
import { useId, useMemo, useState } from 'react';
import type { TaskSummary } from '../../shared/api/views.js';
import { useNav, useSync } from '../api/app-context.js';
import { ErrorAlert, Notice } from '../components/Alert.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { TaskList } from '../components/TaskList.js';
import { errorMessage } from '../lib/errors.js';
import { plural } from '../lib/format.js';
import { sortMyWork, summarizeMyWork } from '../lib/my-work.js';
import { useNow } from '../lib/use-now.js';
import { useMyTasks } from '../stores/queries.js';
import '../styles/my-work.css';

const CLOSED_KEY = 'fieldline.myWork.includeClosed';

function useIncludeClosed(): [boolean, (v: boolean) => void] {
  const [value, setValue] = useState(() => window.sessionStorage.getItem(CLOSED_KEY) === 'true');
  return [
    value,
    (v) => {
      window.sessionStorage.setItem(CLOSED_KEY, String(v));
      setValue(v);
    },
  ];
}

export function MyWork() {
  const toggleId = useId();
  const [includeClosed, setIncludeClosed] = useIncludeClosed();
  const { data, error, loading, reload } = useMyTasks(includeClosed);
  const now = useNow();
  const tasks = useMemo(() => (data ? sortMyWork(data) : []), [data]);
  const summary = useMemo(() => summarizeMyWork(tasks, now), [tasks, now]);
  const returnFocus = useNav((s) => s.returnFocus);
  const setReturnFocus = useNav((s) => s.setReturnFocus);
  const firstSync = useSync((s) => s.overview?.state === 'initial' || s.overview?.state === 'starting');
  const restoring = returnFocus !== null && tasks.some((t) => t.id === returnFocus);

  const onOpen = (task: TaskSummary) => setReturnFocus(task.id);

  return (
    <section className="screen my-work" aria-labelledby="my-work-title">
      <div className="screen-header">
        <ScreenHeading id="my-work-title" focus={!restoring}>
          My work
        </ScreenHeading>
        <p className="screen-summary">
          {data
            ? [
                plural(summary.total, includeClosed ? 'task' : 'open task'),
                summary.overdue > 0 && `${summary.overdue} overdue`,
                summary.unsynced > 0 && `${summary.unsynced} unsynced`,
              ]
                .filter(Boolean)
                .join(' · ')
            : '\u00a0'}
        </p>
        <div className="screen-tools">
          <input
            id={toggleId}
            type="checkbox"
            checked={includeClosed}
            onChange={(e) => setIncludeClosed(e.target.checked)}
          />
          <label htmlFor={toggleId}>Show closed tasks</label>
        </div>
      </div>
      {error != null && (
        <ErrorAlert action={{ label: 'Try again', onClick: reload }}>
          Your tasks could not be loaded: {errorMessage(error)}
        </ErrorAlert>
      )}
      {!data && loading && <p role="status">Loading your tasks…</p>}
      {data && tasks.length === 0 && (
        <Notice>
          {firstSync
            ? 'Your tasks are still downloading; the Sync centre shows how far it has got.'
            : includeClosed
              ? 'No tasks are assigned to you.'
              : 'No open tasks are assigned to you.'}
        </Notice>
      )}
      {tasks.length > 0 && (
        <TaskList tasks={tasks} now={now} initialFocusId={restoring ? returnFocus : null} onOpen={onOpen} />
      )}
    </section>
  );
}
