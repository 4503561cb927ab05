/**
 * How every app API call answers, across IPC and the browser-mode bridge alike: a value, or an
 * error a person can act on. Nothing else crosses the boundary (no thrown objects, no stacks).
 */
import { z } from 'zod';

export const API_ERROR_CODES = [
  'bad_input', // the input does not fit the channel's schema; the message names the field
  'unknown_channel', // not a channel of the contract
  'signed_out', // needs a signed-in session
  'invalid_credentials',
  'account_refused', // disabled user, no active membership
  'rate_limited',
  'unreachable', // the server cannot be reached; work goes on offline
  'server_error', // the server answered something unusable
  'not_found', // the row is not in the replica (or not visible to this user)
  'forbidden', // the role may not make this edit (checked locally before queueing)
  'conflict', // the edit cannot apply to the row as it is here (e.g. already resolved)
  'invalid', // the edit does not fit the data (missing required value, bad value)
  'canceled', // the person canceled (a save dialog)
  'internal', // a bug: the message says what failed
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const apiErrorSchema = z.object({ code: z.enum(API_ERROR_CODES), message: z.string() });
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

/** The error a call rejects with on the calling side; `code` is one of API_ERROR_CODES. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const ok = <T>(value: T): ApiResult<T> => ({ ok: true, value });
export const fail = (code: ApiErrorCode, message: string): ApiResult<never> => ({
  ok: false,
  error: { code, message },
});

/** The shape of a result, checked on arrival (a bridge or IPC answer is untrusted input too). */
export const apiResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorSchema }),
]);
