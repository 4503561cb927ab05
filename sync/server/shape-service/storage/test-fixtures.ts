/** Test helpers for the shape log: deterministic messages and a client that reads chunk by chunk. */
import type { LogOffset } from '../types.js';
import type { LogEntry } from './main-log.js';
import type { ReadAfter, ShapeLog } from './shape-log.js';

export const CHUNK_BYTES = 10_000;

export const SNAPSHOT_META = { xmin: '100', xmax: '105', xip_list: ['101', '103'] };

export const SNAPSHOT_END = JSON.stringify({ headers: { control: 'snapshot-end', ...SNAPSHOT_META } });

export const offsetText = (o: LogOffset): string => `${o.tx}_${o.op}`;

/** An insert as the snapshot query renders it; non-ASCII so byte and character counts differ. */
export function snapshotRow(i: number): string {
  return JSON.stringify({
    key: `"public"."items"/"${i}"`,
    value: { id: String(i), title: `Item ${i} — ünïcödé`, note: 'n'.repeat(i % 40) },
    headers: { operation: 'insert', relation: ['public', 'items'] },
  });
}

/** A change carrying its own offset, so a reader can check what it got; `padTo` pads the value. */
export function changeMessage(offset: LogOffset, padTo = 0): string {
  const base = {
    key: `"public"."items"/"${offset.tx}-${offset.op}"`,
    value: { id: `${offset.tx}-${offset.op}`, pad: '' },
    headers: { operation: 'update', relation: ['public', 'items'], offset: offsetText(offset) },
  };
  base.value.pad = 'p'.repeat(Math.max(0, padTo - JSON.stringify(base).length));
  return JSON.stringify(base);
}

/** The offset a changeMessage carries. */
export function offsetOf(message: string): string {
  return (JSON.parse(message) as { headers: { offset: string } }).headers.offset;
}

/** One transaction of `count` changes at ops 0, 2, 4…, each about `padTo` bytes. */
export function transaction(tx: bigint, count: number, padTo = 0): LogEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const offset = { tx, op: 2 * i };
    return { offset, json: changeMessage(offset, padTo) };
  });
}

/** A small seeded PRNG (mulberry32), so "random" transaction sizes are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Response = {
  readonly after: string;
  readonly end: LogOffset;
  readonly atHead: boolean;
  readonly messages: string[];
};

/** Reads like a client: from -1, each request after the previous end, until a response is at the head. */
export async function readAllChunks(log: ShapeLog): Promise<Response[]> {
  const responses: Response[] = [];
  let after: ReadAfter = 'before-all';
  for (;;) {
    const { messages, end, atHead } = await log.read(after);
    responses.push({ after: after === 'before-all' ? '-1' : offsetText(after), end, atHead, messages });
    if (atHead) return responses;
    after = end;
  }
}
