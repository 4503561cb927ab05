/**
 * In-memory token buckets for sign-in attempts, per email and per client IP. A bucket holds up to
 * `limit` attempts and refills continuously at `limit` per `windowMs`, so bursts up to the limit pass
 * and the sustained rate is capped. Each gateway copy limits on its own; that bounds guessing per
 * copy, which is what matters against password guessing at scrypt speed.
 */
import { RateLimitedError } from './errors.js';

export type RateLimit = { limit: number; windowMs: number };

export type LoginRateLimitOptions = {
  perEmail?: RateLimit;
  perIp?: RateLimit;
  /** Buckets kept at most (per kind); beyond it the least recently used are forgotten. */
  maxKeys?: number;
  now?: () => number;
};

export const DEFAULT_LOGIN_LIMITS = {
  perEmail: { limit: 10, windowMs: 60_000 },
  perIp: { limit: 50, windowMs: 60_000 },
  maxKeys: 10_000,
} as const;

type Bucket = { tokens: number; updatedAt: number };

/** Token buckets keyed by string, in a Map ordered by last use so eviction is O(1). */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: RateLimit,
    private readonly maxKeys: number,
  ) {
    if (!(rate.limit >= 1 && rate.windowMs > 0 && maxKeys >= 1)) {
      throw new RangeError(`A rate limit needs limit ≥ 1, windowMs > 0 and maxKeys ≥ 1; got ${JSON.stringify(rate)}`);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Milliseconds until `key` may try again; 0 when an attempt is available now. */
  waitMs(key: string, now: number): number {
    const tokens = this.tokensAt(key, now);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * this.rate.windowMs) / this.rate.limit);
  }

  take(key: string, now: number): void {
    const tokens = this.tokensAt(key, now) - 1;
    // Delete first so the key moves to the end: the Map's first entry is always the least recently used.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens, updatedAt: now });
    // A forgotten bucket starts full again; an attacker cycling through more keys than this only
    // resets the oldest ones, while memory stays bounded.
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }

  private tokensAt(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (!b) return this.rate.limit;
    const refill = (Math.max(0, now - b.updatedAt) * this.rate.limit) / this.rate.windowMs;
    return Math.min(this.rate.limit, b.tokens + refill);
  }
}

export type LoginRateLimiter = {
  /** Counts one sign-in attempt, or throws RateLimitedError (nothing counted) when either limit is reached. */
  consume(attempt: { email: string; ip: string }): void;
};

export function createLoginRateLimiter(opts: LoginRateLimitOptions = {}): LoginRateLimiter {
  const maxKeys = opts.maxKeys ?? DEFAULT_LOGIN_LIMITS.maxKeys;
  const byEmail = new TokenBuckets(opts.perEmail ?? DEFAULT_LOGIN_LIMITS.perEmail, maxKeys);
  const byIp = new TokenBuckets(opts.perIp ?? DEFAULT_LOGIN_LIMITS.perIp, maxKeys);
  const now = opts.now ?? Date.now;
  return {
    consume({ email, ip }) {
      const t = now();
      const emailKey = email.trim().toLowerCase();
      const wait = Math.max(byEmail.waitMs(emailKey, t), byIp.waitMs(ip, t));
      if (wait > 0) throw new RateLimitedError(Math.max(1, Math.ceil(wait / 1000)));
      byEmail.take(emailKey, t);
      byIp.take(ip, t);
    },
  };
}
