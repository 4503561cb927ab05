/**
 * Turns whatever the bridge's HTTP layer answers into an ApiResult, so a caller always sees an
 * ApiError with a code, never a bare HTTP status or a thrown TypeError.
 */
import { API_ERROR_CODES, fail, type ApiErrorCode, type ApiResult } from '../../shared/api/result.js';

const isApiErrorCode = (code: unknown): code is ApiErrorCode =>
  typeof code === 'string' && (API_ERROR_CODES as readonly string[]).includes(code);

/** The code for a refused request whose body names no code of the contract. */
function codeForStatus(status: number): ApiErrorCode {
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 413) return 'bad_input';
  if (status === 429) return 'rate_limited';
  return 'internal';
}

function defaultMessage(status: number): string {
  if (status === 401 || status === 403)
    return 'The app refused this page (its bridge token is missing or stale). Reload the page.';
  if (status === 413) return 'That request is too large to send.';
  return `The app answered with HTTP ${status}.`;
}

/** An HTTP answer from POST /api/invoke as an ApiResult. A 200 is passed on as is (the API client checks it). */
export function resultFromHttp(status: number, body: unknown): unknown {
  if (status === 200) return body;
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = isApiErrorCode(error?.code) ? error.code : codeForStatus(status);
  const message = typeof error?.message === 'string' && error.message ? error.message : defaultMessage(status);
  return fail(code, message);
}

/** A request that never got an answer: the app behind the page is gone or restarting. */
export const bridgeUnreachable = (channel: string): ApiResult<never> =>
  fail('internal', `${channel}: the app did not answer (is it still running?). Try again in a moment.`);
