/**
 * The `electric-cursor` of live responses (protocol §14). Its only job is to make each live URL
 * distinct from the previous one so CDNs do not collapse a client onto an old cached response;
 * clients echo it back as `cursor`.
 */

/** Cursors count seconds from 2024-10-09T00:00:00Z, as Electric's do. */
export const CURSOR_EPOCH_MS = Date.UTC(2024, 9, 9);

/** How far past the request's cursor to jump when the clock has not moved beyond it. */
const MAX_CURSOR_BUMP_SECONDS = 3600;

/**
 * The current long-poll interval boundary: seconds since the epoch rounded up to a multiple of
 * the long-poll timeout. When that is not past the request's cursor (a client ahead of our
 * clock, or two requests in one interval), the cursor plus a random 1..3600 s instead.
 *
 * `random` returns a number in [0, 1), like Math.random; injectable for tests.
 */
export function nextCursor(
  requestCursor: string | undefined,
  longPollTimeoutMs: number,
  now: number = Date.now(),
  random: () => number = Math.random,
): string {
  // Electric answers 0 for sub-second timeouts; a 1 s interval keeps the cursor moving instead.
  const intervalSeconds = BigInt(Math.max(1, Math.trunc(longPollTimeoutMs / 1000)));
  const elapsedSeconds = BigInt(Math.floor((now - CURSOR_EPOCH_MS) / 1000));
  const intervals = elapsedSeconds / intervalSeconds + (elapsedSeconds % intervalSeconds > 0n ? 1n : 0n);
  const next = intervals * intervalSeconds;
  const previous = parseCursor(requestCursor);
  if (next > previous) return next.toString();
  const bump = BigInt(1 + Math.floor(random() * MAX_CURSOR_BUMP_SECONDS));
  return (previous + bump).toString();
}

/** Integers (sign allowed) only; anything else, including empty, counts as 0. */
function parseCursor(cursor: string | undefined): bigint {
  return cursor !== undefined && /^[+-]?\d+$/.test(cursor) ? BigInt(cursor) : 0n;
}
