/**
 * The message interface between a host (Electron main, the CLI) and the sync engine running in its
 * own worker thread. Everything crossing the boundary is validated on arrival: a malformed message
 * is a bug to surface, never something to act on.
 */
import { z } from 'zod';
import { SYNC_PHASES } from '../sync-status.js';

/** The token pair as it crosses the engine boundary and as the hosts persist it. */
export const sessionTokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** Epoch milliseconds. */
  expiresAt: z.number(),
  issuedAt: z.number().optional(),
});

export type SessionTokensMessage = z.infer<typeof sessionTokensSchema>;

export const engineStartSchema = z.object({
  /** The replica file (created on first run). */
  dbFile: z.string().min(1),
  /** The gateway's base URL. */
  serverUrl: z.url({ protocol: /^https?$/ }),
  auth: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('password'), email: z.string().min(1), password: z.string().min(1) }),
    /** Tokens persisted by the host from an earlier `session` event: starts without the network. */
    z.object({ kind: z.literal('tokens'), tokens: sessionTokensSchema }),
  ]),
  /** Synced table names; default every synced table. */
  tables: z.array(z.string().min(1)).min(1).optional(),
  retry: z
    .object({ initialDelay: z.number().positive(), maxDelay: z.number().positive(), multiplier: z.number().min(1) })
    .optional(),
  parkThreshold: z.number().int().positive().optional(),
});
export type EngineStartOptions = z.infer<typeof engineStartSchema>;

const issue = z.object({ code: z.string(), message: z.string() });
export type EngineIssue = z.infer<typeof issue>;

export const tableStatusSchema = z.object({
  table: z.string(),
  phase: z.enum(SYNC_PHASES),
  rows: z.number(),
  bytes: z.number(),
  total: z.number().nullable(),
  lastUpToDateAt: z.string().nullable(),
  lastError: issue.nullable(),
});

export const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stop') }),
  /** Local writes were committed by another connection: upload them now rather than at the next poll. */
  z.object({ type: z.literal('kick') }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

export const engineEventSchema = z.discriminatedUnion('type', [
  /** Signed in or tokens rotated: the host persists them (secure storage) to start offline next time. */
  z.object({ type: z.literal('session'), tokens: sessionTokensSchema }),
  z.object({ type: z.literal('status'), status: tableStatusSchema }),
  /** A committed batch touched these tables: screens re-query. */
  z.object({ type: z.literal('changed'), tables: z.array(z.string()) }),
  /** The outbox and the conflict inbox changed. */
  z.object({
    type: z.literal('outbox'),
    counts: z.object({
      queued: z.number(),
      awaitingConfirmation: z.number(),
      conflicts: z.number(),
      rejected: z.number(),
      overridden: z.number(),
    }),
  }),
  /** An upload attempt failed; it is retried with backoff (offline, server error) or needs attention. */
  z.object({ type: z.literal('upload-error'), error: issue }),
  /** Every table has applied an up-to-date in this run. */
  z.object({ type: z.literal('live') }),
  /** The engine cannot go on (bad credentials, expired session, unusable replica); it has stopped. */
  z.object({ type: z.literal('fatal'), error: issue }),
  /** Replica closed after a stop request. */
  z.object({ type: z.literal('stopped') }),
]);
export type EngineEvent = z.infer<typeof engineEventSchema>;
