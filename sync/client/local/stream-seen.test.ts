import { describe, expect, it } from 'vitest';
import { visibleInSnapshot } from './stream-seen.js';

const EPOCH = 1n << 32n;
const snap = (xmin: bigint, xmax: bigint, xip: bigint[] = []) => ({
  xmin: String(xmin),
  xmax: String(xmax),
  xip_list: xip.map(String),
});

describe('visibleInSnapshot', () => {
  it('contains what committed before the snapshot: below xmin, or below xmax and not in progress', () => {
    const s = snap(100n, 110n, [103n, 107n]);
    expect([90, 99, 100, 102, 104, 109].map((x) => visibleInSnapshot(x, s))).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([103, 107, 110, 111, 5000].map((x) => visibleInSnapshot(x, s))).toEqual([false, false, false, false, false]);
  });

  it('reads 32-bit xids against the 64-bit snapshot of a later epoch, also across the wrap', () => {
    const s = snap(5n * EPOCH + 10n, 5n * EPOCH + 20n, [5n * EPOCH + 12n]);
    expect([3, 15, 19].map((x) => visibleInSnapshot(x, s))).toEqual([true, true, true]);
    expect([12, 20, 25].map((x) => visibleInSnapshot(x, s))).toEqual([false, false, false]);
    // xmin in epoch 4, xmax in epoch 5: a 32-bit xid near the top belongs to epoch 4.
    const across = snap(5n * EPOCH - 5n, 5n * EPOCH + 5n, [5n * EPOCH + 1n]);
    expect([2 ** 32 - 3, 0, 4, 2 ** 32 - 10].map((x) => visibleInSnapshot(x, across))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([1, 5, 6].map((x) => visibleInSnapshot(x, across))).toEqual([false, false, false]);
  });
});
