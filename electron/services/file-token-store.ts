/**
 * A TokenStore in a file readable by this OS user only (mode 0600), for browser mode and tests.
 * Electron uses safeStorage instead; the host never looks inside the secret's string.
 */
import fs from 'node:fs';
import type { TokenStore } from './host-options.js';
import { writeFileAtomic } from './json-file.js';

export class FileTokenStore implements TokenStore {
  constructor(readonly file: string) {}

  async load(): Promise<string | null> {
    try {
      return fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async save(secret: string): Promise<void> {
    writeFileAtomic(this.file, secret, 0o600);
  }

  async clear(): Promise<void> {
    fs.rmSync(this.file, { force: true });
  }
}
