/**
 * The signed-in profile in `<dataDir>/profile.json`: the last session state (who, which
 * organization and role, which server), so the app opens straight into the cached replica without
 * the network. Holds no secrets: the tokens are in the TokenStore.
 */
import { z } from 'zod';
import { sessionStateSchema, type SessionState } from '../../shared/api/views.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

const profileSchema = z.object({ session: sessionStateSchema });

export class ProfileStore {
  constructor(readonly file: string) {}

  /** The stored session state, or undefined when there is none (first run) or it is unreadable. */
  load(): SessionState | undefined {
    const parsed = profileSchema.safeParse(readJsonFile(this.file));
    return parsed.success ? parsed.data.session : undefined;
  }

  save(session: SessionState): void {
    writeJsonFile(this.file, { session });
  }
}
