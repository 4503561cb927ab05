/**
 * The CLI keeps its session beside the replica (`<db>.session.json`, mode 0600), so a run resumes
 * the session instead of signing in again: sign-ins are rate-limited, and refresh tokens rotate,
 * so the newest one must be kept. The desktop app keeps its tokens in secure storage instead.
 * A file from another server or account is ignored.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { EngineStartOptions } from '../engine/protocol.js';

type Tokens = (EngineStartOptions['auth'] & { kind: 'tokens' })['tokens'];

const fileSchema = z.object({
  server: z.string(),
  email: z.string(),
  tokens: z.object({
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1),
    expiresAt: z.number(),
    issuedAt: z.number().optional(),
  }),
});

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

/** Replaces the file atomically (write, fsync, rename): a crash leaves the old or the new session. */
export function writeSession(dbFile: string, server: string, email: string, tokens: Tokens): void {
  const file = sessionFileOf(dbFile);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify({ server, email, tokens }));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function forgetSession(dbFile: string): void {
  fs.rmSync(sessionFileOf(dbFile), { force: true });
}
