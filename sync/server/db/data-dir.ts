import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The per-user application data folder, or /var/lib/fieldline for root (whose home the postgres user cannot enter). */
export function defaultDataRoot(): string {
  if (process.platform === 'win32')
    return path.join(process.env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'Fieldline');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Fieldline');
  if (process.getuid?.() === 0) return '/var/lib/fieldline';
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'fieldline');
}

export class DataDirError extends Error {
  readonly code = 'data_dir_unreachable';
}

/**
 * When running as root, Postgres runs as the `postgres` user, which must be able to walk into the data dir.
 * Fail early with a fix, rather than letting initdb die with "Permission denied" deep in its log.
 */
export function assertReachableByOthers(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
    const st = fs.statSync(current);
    if ((st.mode & 0o001) === 0) {
      throw new DataDirError(
        `Postgres runs as the 'postgres' user when started by root, and it cannot enter ${current} (mode ${(st.mode & 0o777).toString(8)}). ` +
          `Choose a data dir outside it, e.g. --data-dir /var/lib/fieldline, or run as a normal user.`,
      );
    }
  }
}
