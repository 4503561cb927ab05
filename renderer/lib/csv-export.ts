/**
 * CSV export of the device view: what devices:export-csv answered, as a file name the browser may
 * use and a sentence for the screen. Pure, except downloadCsv (which needs a document).
 */
import type { ChannelOutput } from '../../shared/api/contract.js';
import { plural } from './format.js';

export type CsvExport = ChannelOutput<'devices:export-csv'>;

/** A name for <a download>: no folders, no characters file systems refuse, always ending in .csv. */
export function downloadName(name: string, fallback = 'devices.csv'): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f<>:"|?*]+/g, '-')
    .replace(/^[.\s-]+|[.\s]+$/g, '')
    .slice(0, 120);
  if (!base) return fallback;
  return /\.csv$/i.test(base) ? base : `${base}.csv`;
}

/** What the screen says once the export is done. */
export function exportMessage(result: CsvExport): string {
  const what = plural(result.rows, 'device');
  return result.kind === 'saved'
    ? `Saved ${what} to ${result.path}`
    : `Downloaded ${what} as ${downloadName(result.fileName)}`;
}

/** Browser mode: hands the text to the browser as a file download (a Blob URL, allowed by the CSP). */
export function downloadCsv(doc: Document, fileName: string, csv: string): void {
  // The BOM makes spreadsheet programs read the file as UTF-8 (site names with accents).
  const url = URL.createObjectURL(new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = downloadName(fileName);
  a.hidden = true;
  doc.body.append(a);
  a.click();
  a.remove();
  // Revoked after the click has been handled; the download keeps its own reference.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
