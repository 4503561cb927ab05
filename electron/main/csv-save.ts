/** CSV export in the desktop app: the system save dialog, then the file written in one go. */
import fs from 'node:fs/promises';
import { dialog, type BrowserWindow } from 'electron';

/** The path written, or null when the person canceled. */
export async function saveCsvWithDialog(
  parent: BrowserWindow | null,
  suggestedName: string,
  csv: string,
): Promise<string | null> {
  const options = { defaultPath: suggestedName, filters: [{ name: 'CSV', extensions: ['csv'] }] };
  const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return null;
  await fs.writeFile(result.filePath, csv, 'utf8');
  return result.filePath;
}
