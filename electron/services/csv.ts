/**
 * CSV as RFC 4180 has it (CRLF line ends, fields with a comma, quote or line break quoted, quotes
 * doubled), safe to open in a spreadsheet: a cell that starts with = + - @ (or a tab or carriage
 * return) gets a leading single quote, so no spreadsheet runs it as a formula (CSV injection).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (cells: readonly unknown[]): string => cells.map(csvCell).join(',');

export const toCsv = (header: readonly string[], rows: readonly (readonly unknown[])[]): string =>
  [csvRow(header), ...rows.map(csvRow)].map((line) => `${line}\r\n`).join('');
