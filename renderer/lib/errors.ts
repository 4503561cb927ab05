/** What to tell a person about a failed call. ApiError messages are written for people already. */
import { ApiError, type ApiErrorCode } from '../../shared/api/result.js';

export const errorMessage = (e: unknown): string =>
  e instanceof Error ? e.message : typeof e === 'string' ? e : 'Something went wrong.';

export const errorCode = (e: unknown): ApiErrorCode | null => (e instanceof ApiError ? e.code : null);
