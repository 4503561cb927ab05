/**
 * Shape log offsets (`"<tx>_<op>"`, protocol §4): parsing, formatting and ordering.
 *
 * `tx` is a bigint because real offsets carry a commit LSN, a 64-bit number. `-1` (before
 * everything) is represented as the LogOffset `{tx: -1n, op: 0}` so it orders below every other
 * offset without special cases; `now` is a request-only keyword and never a LogOffset.
 */
import type { LogOffset } from '../types.js';

/** The request-only keyword: "resolve the shape and give me its current end, no history". */
export const NOW = 'now';

/** What a client may send as `offset`. */
export type RequestOffset = LogOffset | typeof NOW;

/** `-1`: before every entry of the log (the initial request). */
export const BEFORE_ALL: LogOffset = Object.freeze({ tx: -1n, op: 0 });

/** `0_inf`: after the last snapshot chunk, before the first replicated change. */
export const LAST_SNAPSHOT: LogOffset = Object.freeze({ tx: 0n, op: 'inf' });

/** LSNs are unsigned 64-bit; anything larger cannot name a real log position. */
const MAX_TX = 0xffff_ffff_ffff_ffffn;

/** Digits only: no sign, no spaces, no decimal point. Leading zeros are accepted, as Electric does. */
const OFFSET_PATTERN = /^(\d+)_(\d+|inf)$/;

/** The end of initial-snapshot chunk `k` (`0_k`). */
export function snapshotChunkOffset(k: number): LogOffset {
  return logOffset(0n, k);
}

/** Builds an offset, refusing values the wire format cannot express. */
export function logOffset(tx: bigint, op: number | 'inf'): LogOffset {
  if (tx === -1n && op === 0) return BEFORE_ALL;
  if (tx < 0n || tx > MAX_TX) throw new RangeError(`offset tx out of range: ${tx}`);
  if (op !== 'inf' && !(Number.isSafeInteger(op) && op >= 0)) throw new RangeError(`offset op out of range: ${op}`);
  return { tx, op };
}

/** Parses a log offset (`-1`, `<tx>_<op>`, `<tx>_inf`); undefined when malformed. */
export function parseOffset(text: string): LogOffset | undefined {
  if (text === '-1') return BEFORE_ALL;
  const match = OFFSET_PATTERN.exec(text);
  if (!match) return undefined;
  const tx = BigInt(match[1]!);
  const opText = match[2]!;
  const op = opText === 'inf' ? 'inf' : Number(opText);
  if (tx > MAX_TX || (op !== 'inf' && !Number.isSafeInteger(op))) return undefined;
  return { tx, op };
}

/** Parses the `offset` query parameter, which may also be `now`; undefined when malformed. */
export function parseRequestOffset(text: string): RequestOffset | undefined {
  return text === NOW ? NOW : parseOffset(text);
}

export function formatOffset(offset: RequestOffset): string {
  if (offset === NOW) return NOW;
  if (isBeforeAll(offset)) return '-1';
  return `${offset.tx}_${offset.op}`;
}

/** Orders by tx, then op, with `inf` above every number. */
export function compareOffsets(a: LogOffset, b: LogOffset): -1 | 0 | 1 {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.op === b.op) return 0;
  if (a.op === 'inf') return 1;
  if (b.op === 'inf') return -1;
  return a.op < b.op ? -1 : 1;
}

export function offsetsEqual(a: LogOffset, b: LogOffset): boolean {
  return compareOffsets(a, b) === 0;
}

export function isBeforeAll(offset: LogOffset): boolean {
  return offset.tx === -1n;
}

/** Initial-snapshot offsets (`0_k` and `0_inf`) are virtual: they do not name a transaction. */
export function isSnapshotOffset(offset: LogOffset): boolean {
  return offset.tx === 0n;
}

/** Offsets of replicated changes: `tx` is a commit LSN. */
export function isReplicationOffset(offset: LogOffset): boolean {
  return offset.tx > 0n;
}
