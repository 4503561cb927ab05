/**
 * Response header names and the caching rules of the shape endpoint (protocol §7).
 */
import type { LogOffset } from '../types.js';
import type { RequestOffset } from './offset.js';
import { formatOffset } from './offset.js';

export const ELECTRIC_HANDLE = 'electric-handle';
export const ELECTRIC_OFFSET = 'electric-offset';
export const ELECTRIC_SCHEMA = 'electric-schema';
export const ELECTRIC_CURSOR = 'electric-cursor';
export const ELECTRIC_UP_TO_DATE = 'electric-up-to-date';
export const ELECTRIC_HAS_DATA = 'electric-has-data';
export const ELECTRIC_SNAPSHOT = 'electric-snapshot';
export const ELECTRIC_SERVER = 'electric-server';
export const ELECTRIC_INTERNAL_KNOWN_ERROR = 'electric-internal-known-error';
export const RETRY_AFTER = 'retry-after';
export const ETAG = 'etag';
export const IF_NONE_MATCH = 'if-none-match';
export const CACHE_CONTROL = 'cache-control';
export const SURROGATE_CONTROL = 'surrogate-control';
export const ACCESS_CONTROL_ALLOW_ORIGIN = 'access-control-allow-origin';
export const ACCESS_CONTROL_ALLOW_METHODS = 'access-control-allow-methods';
export const ACCESS_CONTROL_ALLOW_HEADERS = 'access-control-allow-headers';
export const ACCESS_CONTROL_EXPOSE_HEADERS = 'access-control-expose-headers';
export const ACCESS_CONTROL_MAX_AGE = 'access-control-max-age';

/**
 * Headers a cross-origin client must be allowed to read; without them the client fails with
 * MissingHeadersError. Electric's list plus `electric-snapshot`, which client 1.5.28 reads to
 * stop prefetching after subset responses (Electric does not expose it).
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  ELECTRIC_CURSOR,
  ELECTRIC_HANDLE,
  ELECTRIC_HAS_DATA,
  ELECTRIC_OFFSET,
  ELECTRIC_SCHEMA,
  ELECTRIC_UP_TO_DATE,
  ELECTRIC_INTERNAL_KNOWN_ERROR,
  RETRY_AFTER,
  ELECTRIC_SNAPSHOT,
];

/** The `access-control-expose-headers` value. */
export const CORS_EXPOSE_HEADERS_VALUE = CORS_EXPOSED_HEADERS.join(',');

export type CacheControlInput = {
  /** The request method; HEAD counts as GET (it is served as one). */
  readonly method: string;
  readonly status: number;
  /** The request asked for `offset=-1`. */
  readonly offsetWasMinusOne: boolean;
  readonly live: boolean;
  /** The request was a live SSE request (`live_sse`). */
  readonly sse: boolean;
  /** For 409s: the response names the handle to switch to. */
  readonly hasReplacementHandle: boolean;
  /** Seconds, for non-live responses (Electric's defaults: 60). */
  readonly maxAge: number;
  /** Seconds of stale-while-revalidate for non-live responses (Electric's default: 300). */
  readonly staleAge: number;
  /** How long an SSE response lives (default 60 s); it is cached for just under that. */
  readonly sseTimeoutMs?: number;
  /** A successful subset-snapshot response: never cached. */
  readonly subset?: boolean;
};

export type HeaderMap = Record<string, string>;

const DEFAULT_SSE_TIMEOUT_MS = 60_000;

/** `cache-control` (and `surrogate-control` for errors): the first matching rule wins. */
export function cacheControl(input: CacheControlInput): HeaderMap {
  const method = input.method.toUpperCase();
  if (input.subset && input.status < 400) return { [CACHE_CONTROL]: 'no-cache' };
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return { [CACHE_CONTROL]: 'no-cache' };
  // 409s act as redirects to the new handle: cache briefly so a rotation does not stampede the server.
  if (input.status === 409) {
    return { [CACHE_CONTROL]: `public, max-age=${input.hasReplacementHandle ? 60 : 1}, must-revalidate` };
  }
  // no-store rather than no-cache, and for CDNs too: an error must never be served from a cache.
  if (input.status >= 400) return { [CACHE_CONTROL]: 'no-store', [SURROGATE_CONTROL]: 'no-store' };
  // The initial snapshot is stable per handle: long private caching, frequent shared revalidation.
  if (input.offsetWasMinusOne) {
    return { [CACHE_CONTROL]: 'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746' };
  }
  if (input.live && input.sse) {
    const seconds = Math.max(1, Math.trunc((input.sseTimeoutMs ?? DEFAULT_SSE_TIMEOUT_MS) / 1000) - 1);
    return { [CACHE_CONTROL]: `public, max-age=${seconds}` };
  }
  if (input.live) return { [CACHE_CONTROL]: 'public, max-age=5, stale-while-revalidate=5' };
  return { [CACHE_CONTROL]: `public, max-age=${input.maxAge}, stale-while-revalidate=${input.staleAge}` };
}

/**
 * The ETag, quoted: `"<handle>:<request offset>:<response offset>"`. Responses without changes
 * (long-poll timeouts, `offset=now`) pass a nonce that is never repeated, such as a monotonic
 * clock reading, so a cache can never revalidate them and must hold a fresh request instead.
 */
export function etag(
  handle: string,
  requestOffset: RequestOffset,
  responseOffset: LogOffset,
  noChangesNonce?: string | number | bigint,
): string {
  const parts = [handle, formatOffset(requestOffset), formatOffset(responseOffset)];
  if (noChangesNonce !== undefined) parts.push(String(noChangesNonce));
  return `"${parts.join(':')}"`;
}

/**
 * Whether `If-None-Match` names `etagValue` (quoted or not). Values are comma-separated; quotes
 * and a weak `W/` prefix (added by compressing proxies) are ignored.
 */
export function ifNoneMatchMatches(headerValue: string | readonly string[] | undefined, etagValue: string): boolean {
  if (headerValue === undefined) return false;
  const wanted = unquote(etagValue);
  if (wanted === '') return false;
  const values = typeof headerValue === 'string' ? [headerValue] : headerValue;
  return values.some((value) => value.split(',').some((candidate) => unquote(candidate) === wanted));
}

function unquote(tag: string): string {
  return tag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"+|"+$/g, '');
}
