/** Per-table sync state: phase, a progress bar during the first download, rows, when last up to date. */
import type { TableStatusView } from '../../shared/api/views.js';
import { formatAgo, formatCount } from '../lib/format.js';
import { TABLE_PHASE_LABEL, tableLabel } from '../lib/labels.js';
import { ProgressBar } from './ProgressBar.js';

function Progress({ t }: { t: TableStatusView }) {
  if (t.phase !== 'initial') return null;
  const known = t.total !== null && t.total > 0;
  return (
    <div className="table-progress">
      <ProgressBar label={`${tableLabel(t.table)} download`} value={t.rows} max={known ? t.total : null} />
      <span className="muted small">
        {known ? `${formatCount(t.rows)} / ${formatCount(t.total ?? 0)}` : `${formatCount(t.rows)} rows so far`}
      </span>
    </div>
  );
}

export function TableSyncList({ tables, now }: { tables: TableStatusView[]; now: Date }) {
  if (tables.length === 0) return <p className="muted">No tables yet: syncing starts after sign-in.</p>;
  return (
    <table className="data-table sync-tables" aria-labelledby="tables-heading">
      <thead>
        <tr>
          <th scope="col">Data</th>
          <th scope="col">State</th>
          <th scope="col" className="num">
            Rows
          </th>
          <th scope="col">Last synced</th>
        </tr>
      </thead>
      <tbody>
        {tables.map((t) => (
          <tr key={t.table} className={t.phase === 'error' ? 'row-error' : undefined}>
            <th scope="row">{tableLabel(t.table)}</th>
            <td>
              <span className={`phase phase-${t.phase}`}>{TABLE_PHASE_LABEL[t.phase]}</span>
              <Progress t={t} />
              {t.lastError && <div className="error-text small">{t.lastError.message}</div>}
            </td>
            <td className="num">{formatCount(t.rows)}</td>
            <td>
              {t.lastUpToDateAt ? (
                <time dateTime={t.lastUpToDateAt} title={new Date(t.lastUpToDateAt).toLocaleString()}>
                  {formatAgo(t.lastUpToDateAt, now)}
                </time>
              ) : (
                'not yet'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
