/**
 * The CLI keeps its session beside the replica (`<db>.session.json`, mode 0600), so a run resumes
 * the session instead of signing in again: sign-ins are rate-limited, and refresh tokens rotate,
 * so the newest one must be kept. The desktop app keeps its tokens in secure storage instead.
 * A file from another server or account is ignored.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-file.js';
import { sessionTokensSchema, type SessionTokensMessage as Tokens } from '../engine/protocol.js';

const fileSchema = z.object({ server: z.string(), email: z.string(), tokens: sessionTokensSchema });

export const sessionFileOf = (dbFile: string): string => `${dbFile}.session.json`;

export function readSession(dbFile: string, server: string, email: string): Tokens | undefined {
  try {
    const parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(sessionFileOf(dbFile), 'utf8')));
    if (!parsed.success || parsed.data.server !== server || parsed.data.email.toLowerCase() !== email.toLowerCase())
      return undefined;
    return parsed.data.tokens;
  } catch {
    return undefined; // none yet, or unreadable: sign in with the password
  }
}

/** Replaces the file atomically: a crash leaves the old or the new session. */
export function writeSession(dbFile: string, server: string, email: string, tokens: Tokens): void {
  writeFileAtomic(sessionFileOf(dbFile), JSON.stringify({ server, email, tokens }), 0o600);
}

export function forgetSession(dbFile: string): void {
  fs.rmSync(sessionFileOf(dbFile), { force: true });
}
