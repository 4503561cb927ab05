/**
 * Replaces a small file atomically (temp file, fsync, rename): a crash leaves the old file or the
 * new one, never half of either. Used for session tokens and the app's settings and profile.
 */
import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  // openSync's mode is masked by the umask: make it exact.
  fs.chmodSync(file, mode);
}
