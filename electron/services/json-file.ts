/**
 * Small JSON files the app keeps in its data folder (settings, profile, tokens). Written atomically
 * (temp file, fsync, rename), so a crash leaves the old file or the new one, never half of either.
 */
import fs from 'node:fs';
import { writeFileAtomic } from '../../sync/client/atomic-file.js';

export { writeFileAtomic };

/** The parsed file, or undefined when it is missing or not JSON (a damaged file is treated as absent). */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const writeJsonFile = (file: string, value: unknown, mode = 0o600): void =>
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', mode);
