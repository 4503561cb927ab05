import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory the `postgres` user can also write (embedded Postgres runs as that user under root). */
export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fieldline-${prefix}-`));
  fs.chmodSync(dir, 0o777);
  return dir;
}
