import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const opts = { baseMs: 250, maxMs: 10_000, jitter: 0.2 };

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    const noJitter = (attempt: number) => backoffDelay(attempt, opts, 0.5);
    expect([0, 1, 2, 3].map(noJitter)).toEqual([250, 500, 1000, 2000]);
    expect(noJitter(10)).toBe(10_000);
    expect(noJitter(1000)).toBe(10_000);
  });

  it('spreads by the jitter fraction either way, never past the cap', () => {
    expect(backoffDelay(0, opts, 0)).toBe(200);
    expect(backoffDelay(0, opts, 0.999)).toBeLessThanOrEqual(300);
    expect(backoffDelay(20, opts, 0.999)).toBe(10_000);
  });
});
