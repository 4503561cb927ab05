/**
 * The session's tokens at rest, encrypted with the operating system's keychain (safeStorage). Where
 * no keychain is available (a bare Linux session falls back to a hard-coded key), nothing is
 * written: the person signs in again next time rather than leaving a refresh token readable on disk.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { safeStorage } from 'electron';
import { writeFileAtomic } from '../../sync/client/atomic-file.js';
import type { TokenStore } from '../services/app-host.js';

export class SafeStorageTokenStore implements TokenStore {
  readonly #file: string;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'session.bin');
  }

  #usable(): boolean {
    if (!safeStorage.isEncryptionAvailable()) return false;
    return process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
  }

  async load(): Promise<string | null> {
    if (!this.#usable()) return null;
    try {
      return safeStorage.decryptString(await fs.readFile(this.#file));
    } catch {
      return null; // absent, or written under another keychain: sign in again
    }
  }

  async save(secret: string): Promise<void> {
    if (!this.#usable()) return;
    writeFileAtomic(this.#file, safeStorage.encryptString(secret), 0o600);
  }

  async clear(): Promise<void> {
    await fs.rm(this.#file, { force: true });
  }
}
