/**
 * Postgres LSNs ("16/B374D848": high and low 32-bit halves in hex) as 64-bit integers, which
 * order and compare correctly and are what shape log offsets use as their `tx` part.
 */
import { InvalidLsnError } from './errors.js';

const LSN_PATTERN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;
const MAX_LSN = (1n << 64n) - 1n;

/** `'0/16B3F70'` → `23806832n`. Accepts zero-padded halves too (Postgres 18 prints them). */
export function lsnToBigInt(lsn: string): bigint {
  const match = LSN_PATTERN.exec(lsn);
  if (!match) throw new InvalidLsnError(lsn);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** `23806832n` → `'0/16B3F70'`, in Postgres's `%X/%X` form. */
export function bigIntToLsn(value: bigint): string {
  if (value < 0n || value > MAX_LSN) throw new InvalidLsnError(String(value));
  const high = value >> 32n;
  const low = value & 0xffffffffn;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}
