/**
 * Small JSON files the app keeps in its data folder (settings, profile, tokens). Written atomically
 * (temp file, fsync, rename), so a crash leaves the old file or the new one, never half of either.
 */
import fs from 'node:fs';
import path from 'node:path';

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

export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  // openSync's mode is masked by the umask and ignored for an existing temp name: make it exact.
  fs.chmodSync(file, mode);
}

export const writeJsonFile = (file: string, value: unknown, mode = 0o600): void =>
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', mode);
