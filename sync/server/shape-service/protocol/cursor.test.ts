import { describe, expect, it } from 'vitest';
import { CURSOR_EPOCH_MS, nextCursor } from './cursor.js';

const seconds = (s: number) => CURSOR_EPOCH_MS + s * 1000;
const neverCalled = () => {
  throw new Error('random should not be needed');
};

describe('nextCursor', () => {
  it('counts from 2024-10-09T00:00:00Z', () => {
    expect(CURSOR_EPOCH_MS).toBe(Date.parse('2024-10-09T00:00:00Z'));
  });

  it('rounds the elapsed seconds up to a multiple of the timeout', () => {
    expect(nextCursor(undefined, 20_000, seconds(101), neverCalled)).toBe('120');
    expect(nextCursor(undefined, 20_000, seconds(119.5), neverCalled)).toBe('120');
    expect(nextCursor(undefined, 20_000, seconds(120.999), neverCalled)).toBe('120');
    expect(nextCursor(undefined, 20_000, seconds(121), neverCalled)).toBe('140');
  });

  it('uses whole seconds of the timeout', () => {
    expect(nextCursor(undefined, 20_999, seconds(21), neverCalled)).toBe('40');
    expect(nextCursor(undefined, 500, seconds(21.7), neverCalled)).toBe('21');
  });

  it('returns the interval boundary when it is past the request cursor', () => {
    expect(nextCursor('100', 20_000, seconds(101), neverCalled)).toBe('120');
    expect(nextCursor('', 20_000, seconds(101), neverCalled)).toBe('120');
    expect(nextCursor('garbage', 20_000, seconds(101), neverCalled)).toBe('120');
  });

  it('jumps 1..3600 s past a request cursor that is not behind', () => {
    expect(nextCursor('120', 20_000, seconds(101), () => 0)).toBe('121');
    expect(nextCursor('120', 20_000, seconds(101), () => 0.999_999_9)).toBe('3720');
    expect(nextCursor('5000', 20_000, seconds(101), () => 0.5)).toBe('6801');
  });

  it('never returns the cursor it was given, even for random input', () => {
    for (let i = 0; i < 200; i++) {
      const request = String(Math.floor(Math.random() * 400));
      const next = BigInt(nextCursor(request, 20_000, seconds(200)));
      expect(next > BigInt(request)).toBe(true);
      expect(next - BigInt(request) <= 3600n || next === 200n).toBe(true);
    }
  });

  it('handles cursors beyond 2^53 exactly', () => {
    expect(nextCursor('9007199254740993', 20_000, seconds(101), () => 0)).toBe('9007199254740994');
  });

  it('accepts a signed integer cursor as Electric does', () => {
    expect(nextCursor('-5', 20_000, seconds(101), neverCalled)).toBe('120');
    expect(nextCursor('+200', 20_000, seconds(101), () => 0)).toBe('201');
  });
});
