/**
 * Domain errors → the app API's error codes, with messages a person can act on (the `describeError`
 * of dispatch). ApiErrors never get here: dispatch passes them through as they are.
 */
import type { ApiErrorBody } from '../../shared/api/result.js';
import { GatewaySessionError } from '../../sync/client/auth/gateway-session.js';
import { InboxError } from '../../sync/client/local/conflict-inbox.js';
import { LocalWriteError } from '../../sync/client/local/local-writes.js';

const GATEWAY_CODES = {
  invalid_credentials: 'invalid_credentials',
  account_refused: 'account_refused',
  rate_limited: 'rate_limited',
  session_expired: 'signed_out',
  gateway_unreachable: 'unreachable',
  gateway_response: 'server_error',
} as const;

const WRITE_CODES = {
  not_found: 'not_found',
  already_exists: 'conflict',
  invalid_value: 'invalid',
  missing_value: 'invalid',
  server_owned: 'invalid',
  unknown_table: 'internal',
  unknown_column: 'internal',
} as const;

const INBOX_CODES = { not_found: 'not_found', already_resolved: 'conflict', row_gone: 'conflict' } as const;

export function describeError(e: unknown): ApiErrorBody {
  if (e instanceof GatewaySessionError) return { code: GATEWAY_CODES[e.code], message: e.message };
  if (e instanceof LocalWriteError) {
    const code = WRITE_CODES[e.code];
    return { code, message: code === 'internal' ? `The app made a bad edit (a bug): ${e.message}` : e.message };
  }
  if (e instanceof InboxError) return { code: INBOX_CODES[e.code], message: e.message };
  const sqliteCode = (e as { code?: unknown } | null)?.code;
  if (typeof sqliteCode === 'string' && sqliteCode.startsWith('SQLITE_BUSY'))
    return { code: 'internal', message: 'The local database is busy (sync is writing a large batch). Try again.' };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
