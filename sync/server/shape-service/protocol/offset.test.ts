import { describe, expect, it } from 'vitest';
import type { LogOffset } from '../types.js';
import {
  BEFORE_ALL,
  LAST_SNAPSHOT,
  NOW,
  compareOffsets,
  formatOffset,
  isBeforeAll,
  isReplicationOffset,
  isSnapshotOffset,
  logOffset,
  offsetsEqual,
  parseOffset,
  parseRequestOffset,
  snapshotChunkOffset,
} from './offset.js';

const at = (text: string): LogOffset => {
  const parsed = parseOffset(text);
  if (!parsed) throw new Error(`test offset ${text} does not parse`);
  return parsed;
};

describe('parseOffset', () => {
  it('parses -1, snapshot and replication offsets', () => {
    expect(parseOffset('-1')).toBe(BEFORE_ALL);
    expect(parseOffset('0_0')).toEqual({ tx: 0n, op: 0 });
    expect(parseOffset('11_13')).toEqual({ tx: 11n, op: 13 });
    expect(parseOffset('0_inf')).toEqual({ tx: 0n, op: 'inf' });
    expect(parseOffset('25823912_inf')).toEqual({ tx: 25823912n, op: 'inf' });
  });

  it('keeps LSNs beyond 2^53 exact', () => {
    expect(parseOffset('9007199254740993_4')).toEqual({ tx: 9007199254740993n, op: 4 });
    expect(parseOffset('18446744073709551615_0')).toEqual({ tx: 18446744073709551615n, op: 0 });
  });

  it('accepts leading zeros, as Electric does', () => {
    expect(parseOffset('0_02')).toEqual({ tx: 0n, op: 2 });
    expect(parseOffset('007_1')).toEqual({ tx: 7n, op: 1 });
  });

  it.each([
    '',
    '10',
    '1_2_3',
    '1_2 ',
    ' 1_2',
    '1 _2',
    '+1_2',
    '1_+2',
    '1_-2',
    '-2',
    '-1_0',
    '-0_0',
    '-1 ',
    '10_32.1',
    '1e3_0',
    '_1',
    '1_',
    '_',
    '1_INF',
    '1_Infinity',
    'inf_1',
    'now',
    '１_２',
    '0x10_0',
    '18446744073709551616_0',
    '1_9007199254740992',
  ])('rejects %j', (text) => {
    expect(parseOffset(text)).toBeUndefined();
  });
});

describe('parseRequestOffset', () => {
  it('also accepts the keyword now, and only in lower case', () => {
    expect(parseRequestOffset('now')).toBe(NOW);
    expect(parseRequestOffset('NOW')).toBeUndefined();
    expect(parseRequestOffset('-1')).toBe(BEFORE_ALL);
    expect(parseRequestOffset('3_4')).toEqual({ tx: 3n, op: 4 });
  });
});

describe('formatOffset', () => {
  it('writes every form back as the protocol spells it', () => {
    for (const text of ['-1', '0_0', '0_7', '0_inf', '25823912_0', '18446744073709551615_inf']) {
      expect(formatOffset(at(text))).toBe(text);
    }
    expect(formatOffset(NOW)).toBe('now');
    expect(formatOffset(LAST_SNAPSHOT)).toBe('0_inf');
    expect(formatOffset(snapshotChunkOffset(3))).toBe('0_3');
  });

  it('normalises leading zeros away', () => {
    expect(formatOffset(at('0_02'))).toBe('0_2');
  });
});

describe('compareOffsets', () => {
  it('orders by tx first: 5_2 is after 0_inf', () => {
    expect(compareOffsets(at('0_inf'), at('5_2'))).toBe(-1);
    expect(compareOffsets(at('5_2'), at('0_inf'))).toBe(1);
  });

  it('puts inf above any op of the same tx', () => {
    expect(compareOffsets(at('7_inf'), at('7_9007199254740991'))).toBe(1);
    expect(compareOffsets(at('7_inf'), at('7_inf'))).toBe(0);
  });

  it('distinguishes LSNs that would collide as doubles', () => {
    // 2^53 + 1 and 2^53 are the same Number.
    expect(compareOffsets(at('9007199254740993_0'), at('9007199254740992_0'))).toBe(1);
    expect(compareOffsets(at('9007199254740992_inf'), at('9007199254740993_0'))).toBe(-1);
  });

  it('sorts a mixed list into log order', () => {
    const texts = ['9007199254740993_0', '0_inf', '5_2', '-1', '0_10', '5_10', '0_2', '9007199254740992_6', '5_inf'];
    const sorted = texts.map(at).sort(compareOffsets).map(formatOffset);
    expect(sorted).toEqual([
      '-1',
      '0_2',
      '0_10',
      '0_inf',
      '5_2',
      '5_10',
      '5_inf',
      '9007199254740992_6',
      '9007199254740993_0',
    ]);
  });

  it('treats equal values as equal whatever their source', () => {
    expect(offsetsEqual(at('0_02'), snapshotChunkOffset(2))).toBe(true);
    expect(offsetsEqual(at('0_inf'), LAST_SNAPSHOT)).toBe(true);
    expect(offsetsEqual(at('0_1'), at('1_0'))).toBe(false);
  });
});

describe('offset kinds', () => {
  it('tells before-all, snapshot and replication offsets apart', () => {
    expect([isBeforeAll(BEFORE_ALL), isSnapshotOffset(BEFORE_ALL), isReplicationOffset(BEFORE_ALL)]).toEqual([
      true,
      false,
      false,
    ]);
    expect([isBeforeAll(LAST_SNAPSHOT), isSnapshotOffset(LAST_SNAPSHOT), isReplicationOffset(LAST_SNAPSHOT)]).toEqual([
      false,
      true,
      false,
    ]);
    expect(isReplicationOffset(at('1_0'))).toBe(true);
  });
});

describe('logOffset', () => {
  it('builds valid offsets and refuses the rest', () => {
    expect(logOffset(12n, 4)).toEqual({ tx: 12n, op: 4 });
    expect(logOffset(-1n, 0)).toBe(BEFORE_ALL);
    expect(() => logOffset(-1n, 2)).toThrow(RangeError);
    expect(() => logOffset(-2n, 0)).toThrow(RangeError);
    expect(() => logOffset(1n, -1)).toThrow(RangeError);
    expect(() => logOffset(1n, 1.5)).toThrow(RangeError);
    expect(() => logOffset(2n ** 64n, 0)).toThrow(RangeError);
    expect(() => snapshotChunkOffset(-1)).toThrow(RangeError);
  });

  it('keeps the constants immutable', () => {
    expect(Object.isFrozen(BEFORE_ALL)).toBe(true);
    expect(Object.isFrozen(LAST_SNAPSHOT)).toBe(true);
  });
});
