import { describe, expect, it } from 'vitest';
import { RateLimitedError } from './errors.js';
import { TokenBuckets, createLoginRateLimiter } from './rate-limit.js';

/** A limiter on a hand-driven clock. */
function limiter(opts: Parameters<typeof createLoginRateLimiter>[0] = {}) {
  let now = 1_000_000;
  const l = createLoginRateLimiter({ ...opts, now: () => now });
  return {
    attempt: (email: string, ip = '10.0.0.1') => {
      try {
        l.consume({ email, ip });
        return 'ok' as const;
      } catch (e) {
        if (e instanceof RateLimitedError) return e;
        throw e;
      }
    },
    advance: (ms: number) => (now += ms),
  };
}

describe('login rate limiter', () => {
  it('allows 10 attempts per email per minute, then answers 429 with a retry-after, then recovers', () => {
    const l = limiter();
    for (let i = 0; i < 10; i++) expect(l.attempt('tech@northwind.test')).toBe('ok');
    const refused = l.attempt('TECH@northwind.test '); // same email, however it is typed
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 6 });
    expect((refused as RateLimitedError).headers['retry-after']).toBe('6');
    expect(l.attempt('admin@northwind.test')).toBe('ok'); // other emails are unaffected

    l.advance(6_000); // one attempt refills every 6 s
    expect(l.attempt('tech@northwind.test')).toBe('ok');
    expect(l.attempt('tech@northwind.test')).toBeInstanceOf(RateLimitedError);
    l.advance(60_000);
    for (let i = 0; i < 10; i++) expect(l.attempt('tech@northwind.test')).toBe('ok');
  });

  it('allows 50 attempts per IP per minute across emails', () => {
    const l = limiter();
    for (let i = 0; i < 50; i++) expect(l.attempt(`user${i}@example.test`, '192.0.2.7')).toBe('ok');
    expect(l.attempt('fresh@example.test', '192.0.2.7')).toBeInstanceOf(RateLimitedError);
    expect(l.attempt('fresh@example.test', '192.0.2.8')).toBe('ok');
  });

  it('counts nothing for a refused attempt, so retrying early does not push the wait further out', () => {
    const l = limiter({ perEmail: { limit: 2, windowMs: 10_000 } });
    l.attempt('a@x.test');
    l.attempt('a@x.test');
    for (let i = 0; i < 20; i++) expect(l.attempt('a@x.test')).toBeInstanceOf(RateLimitedError);
    l.advance(5_000);
    expect(l.attempt('a@x.test')).toBe('ok');
  });

  it('keeps at most maxKeys buckets, forgetting the least recently used', () => {
    const buckets = new TokenBuckets({ limit: 1, windowMs: 60_000 }, 100);
    for (let i = 0; i < 10_000; i++) buckets.take(`key${i}`, 0);
    expect(buckets.size).toBe(100);
    expect(buckets.waitMs('key9999', 0)).toBeGreaterThan(0); // recent: still limited
    expect(buckets.waitMs('key0', 0)).toBe(0); // forgotten: starts afresh
  });

  it('rejects nonsensical limits', () => {
    expect(() => new TokenBuckets({ limit: 0, windowMs: 1000 }, 10)).toThrow(RangeError);
    expect(() => new TokenBuckets({ limit: 1, windowMs: 1000 }, 0)).toThrow(RangeError);
  });
});
