/**
 * "Export CSV" of the devices the table shows (the same filter and sort). Electron saves through a
 * dialog and answers with the path; browser mode answers with the text, handed to the browser as
 * a download. A canceled save dialog is no news: nothing is said.
 */
import { useState } from 'react';
import type { DeviceFilter } from '../../shared/api/contract.js';
import { useApi } from '../api/app-context.js';
import { downloadCsv, exportMessage } from '../lib/csv-export.js';
import { errorCode, errorMessage } from '../lib/errors.js';

export function DeviceExportButton({ query, total }: { query: DeviceFilter; total: number | null }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  const run = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      const result = await api.invoke('devices:export-csv', query);
      if (result.kind === 'download') downloadCsv(document, result.fileName, result.csv);
      setOutcome({ ok: true, text: exportMessage(result) });
    } catch (e) {
      if (errorCode(e) !== 'canceled') setOutcome({ ok: false, text: `The export failed: ${errorMessage(e)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="device-export">
      <span
        className={outcome?.ok === false ? 'inline-error' : 'muted small'}
        role={outcome?.ok === false ? 'alert' : 'status'}
      >
        {busy ? 'Exporting…' : (outcome?.text ?? '')}
      </span>
      <button type="button" onClick={() => void run()} disabled={busy || total === 0} aria-busy={busy}>
        Export CSV
      </button>
    </div>
  );
}
