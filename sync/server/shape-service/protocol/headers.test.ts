import { describe, expect, it } from 'vitest';
import type { CacheControlInput } from './headers.js';
import { CORS_EXPOSE_HEADERS_VALUE, cacheControl, etag, ifNoneMatchMatches } from './headers.js';
import { BEFORE_ALL, LAST_SNAPSHOT, NOW, snapshotChunkOffset } from './offset.js';

const plainGet: CacheControlInput = {
  method: 'GET',
  status: 200,
  offsetWasMinusOne: false,
  live: false,
  sse: false,
  hasReplacementHandle: false,
  maxAge: 60,
  staleAge: 300,
};

const cache = (overrides: Partial<CacheControlInput>) => cacheControl({ ...plainGet, ...overrides });

describe('CORS expose list', () => {
  it('lets a browser read every header the client requires or uses', () => {
    const exposed = CORS_EXPOSE_HEADERS_VALUE.split(',');
    for (const header of [
      'electric-handle',
      'electric-offset',
      'electric-schema',
      'electric-cursor',
      'electric-up-to-date',
      'electric-snapshot',
      'retry-after',
    ]) {
      expect(exposed).toContain(header);
    }
  });
});

describe('cacheControl', () => {
  it('does not cache methods other than GET, HEAD and OPTIONS', () => {
    expect(cache({ method: 'POST' })).toEqual({ 'cache-control': 'no-cache' });
    expect(cache({ method: 'DELETE', status: 202 })).toEqual({ 'cache-control': 'no-cache' });
    // Rule 1 comes before the error rules.
    expect(cache({ method: 'POST', status: 400 })).toEqual({ 'cache-control': 'no-cache' });
    expect(cache({ method: 'head', offsetWasMinusOne: true })['cache-control']).toMatch(/^public, max-age=604800/);
  });

  it('caches 409s briefly, shorter without a replacement handle', () => {
    expect(cache({ status: 409, hasReplacementHandle: true })).toEqual({
      'cache-control': 'public, max-age=60, must-revalidate',
    });
    expect(cache({ status: 409, hasReplacementHandle: false })).toEqual({
      'cache-control': 'public, max-age=1, must-revalidate',
    });
  });

  it('never stores other errors, in CDNs either, whatever the request was', () => {
    for (const status of [400, 401, 404, 500, 503]) {
      expect(cache({ status, offsetWasMinusOne: true, live: true })).toEqual({
        'cache-control': 'no-store',
        'surrogate-control': 'no-store',
      });
    }
  });

  it('caches the offset=-1 response long in browsers and briefly in shared caches', () => {
    expect(cache({ offsetWasMinusOne: true })).toEqual({
      'cache-control': 'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746',
    });
  });

  it('caches SSE for just under its lifetime', () => {
    expect(cache({ live: true, sse: true })).toEqual({ 'cache-control': 'public, max-age=59' });
    expect(cache({ live: true, sse: true, sseTimeoutMs: 30_500 })).toEqual({ 'cache-control': 'public, max-age=29' });
    expect(cache({ live: true, sse: true, sseTimeoutMs: 1_000 })).toEqual({ 'cache-control': 'public, max-age=1' });
  });

  it('caches long-poll responses for 5 s', () => {
    expect(cache({ live: true })).toEqual({ 'cache-control': 'public, max-age=5, stale-while-revalidate=5' });
    // sse without live is not an SSE response
    expect(cache({ sse: true })).toEqual({ 'cache-control': 'public, max-age=60, stale-while-revalidate=300' });
  });

  it('uses the configured ages for other non-live responses, 304s included', () => {
    expect(cache({ maxAge: 1, staleAge: 3 })).toEqual({
      'cache-control': 'public, max-age=1, stale-while-revalidate=3',
    });
    expect(cache({ status: 304 })).toEqual({ 'cache-control': 'public, max-age=60, stale-while-revalidate=300' });
  });

  it('never caches successful subset responses, but treats their errors like any other', () => {
    expect(cache({ subset: true, offsetWasMinusOne: true })).toEqual({ 'cache-control': 'no-cache' });
    expect(cache({ subset: true, method: 'POST' })).toEqual({ 'cache-control': 'no-cache' });
    expect(cache({ subset: true, status: 400 })).toEqual({
      'cache-control': 'no-store',
      'surrogate-control': 'no-store',
    });
  });
});

describe('etag', () => {
  it('joins handle, request offset and response offset, quoted', () => {
    expect(etag('123-456', BEFORE_ALL, snapshotChunkOffset(0))).toBe('"123-456:-1:0_0"');
    expect(etag('H', { tx: 9007199254740993n, op: 2 }, { tx: 9007199254740993n, op: 'inf' })).toBe(
      '"H:9007199254740993_2:9007199254740993_inf"',
    );
  });

  it('appends the nonce for responses without changes', () => {
    expect(etag('H', NOW, LAST_SNAPSHOT, 123456789n)).toBe('"H:now:0_inf:123456789"');
    expect(etag('H', LAST_SNAPSHOT, LAST_SNAPSHOT, 'x')).not.toBe(etag('H', LAST_SNAPSHOT, LAST_SNAPSHOT, 'y'));
  });
});

describe('ifNoneMatchMatches', () => {
  const tag = etag('H', LAST_SNAPSHOT, { tx: 5n, op: 0 });

  it('matches the exact tag, quoted or not', () => {
    expect(ifNoneMatchMatches('"H:0_inf:5_0"', tag)).toBe(true);
    expect(ifNoneMatchMatches('H:0_inf:5_0', tag)).toBe(true);
    expect(ifNoneMatchMatches('"H:0_inf:5_0"', 'H:0_inf:5_0')).toBe(true);
  });

  it('finds the tag in a comma-separated list, with spaces and weak prefixes', () => {
    expect(ifNoneMatchMatches('"a:b:c", "H:0_inf:5_0"', tag)).toBe(true);
    expect(ifNoneMatchMatches('"a:b:c",W/"H:0_inf:5_0"', tag)).toBe(true);
    expect(ifNoneMatchMatches(['"x"', '"y", "H:0_inf:5_0"'], tag)).toBe(true);
  });

  it('does not match other tags, prefixes or nothing', () => {
    expect(ifNoneMatchMatches(undefined, tag)).toBe(false);
    expect(ifNoneMatchMatches('', tag)).toBe(false);
    expect(ifNoneMatchMatches('"H:0_inf:5_2"', tag)).toBe(false);
    expect(ifNoneMatchMatches('"H:0_inf:5_0:1"', tag)).toBe(false);
    expect(ifNoneMatchMatches('"H:0_inf"', tag)).toBe(false);
    expect(ifNoneMatchMatches('""', '""')).toBe(false);
  });
});
