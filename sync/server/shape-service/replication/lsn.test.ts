import { describe, expect, it } from 'vitest';
import { InvalidLsnError } from './errors.js';
import { bigIntToLsn, lsnToBigInt } from './lsn.js';

describe('LSN conversion', () => {
  it('converts between Postgres text form and 64-bit integers', () => {
    expect(lsnToBigInt('0/16B3F70')).toBe(0x16b3f70n);
    expect(lsnToBigInt('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(lsnToBigInt('0/016b3f70')).toBe(0x16b3f70n);
    expect(bigIntToLsn(0x16b3f70n)).toBe('0/16B3F70');
    expect(bigIntToLsn(0n)).toBe('0/0');
    expect(bigIntToLsn((1n << 64n) - 1n)).toBe('FFFFFFFF/FFFFFFFF');
  });

  it('round-trips values beyond 2^53', () => {
    for (const value of [2n ** 53n + 1n, (0xabcdefn << 32n) | 0x12345678n]) {
      expect(lsnToBigInt(bigIntToLsn(value))).toBe(value);
    }
  });

  it('rejects malformed input', () => {
    for (const bad of ['', '16B3F70', '0/', '/1', '0/1/2', 'G/1', '123456789/0', ' 0/1']) {
      expect(() => lsnToBigInt(bad)).toThrow(InvalidLsnError);
    }
    expect(() => bigIntToLsn(-1n)).toThrow(InvalidLsnError);
    expect(() => bigIntToLsn(1n << 64n)).toThrow(InvalidLsnError);
  });
});
