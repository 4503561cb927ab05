import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/temp-dir.js';
import type { LogOffset } from '../types.js';
import {
  InvalidEntryError,
  InvalidSnapshotMetaError,
  OffsetOutOfBoundsError,
  OutOfOrderOffsetError,
  ShapeLogClosedError,
  ShapeLogExistsError,
  SnapshotNotReadyError,
  SnapshotStateError,
} from './errors.js';
import { HEAD_POSITION, HEAD_RECORD_BYTES, decodeHead } from './file-format.js';
import type { LogEntry } from './main-log.js';
import { ShapeLog } from './shape-log.js';
import {
  CHUNK_BYTES,
  SNAPSHOT_END,
  SNAPSHOT_META,
  changeMessage,
  offsetOf,
  offsetText,
  readAllChunks,
  seededRandom,
  snapshotRow,
  transaction,
} from './test-fixtures.js';

const dirs: string[] = [];
function freshDir(): string {
  const root = makeTempDir('shape-log');
  dirs.push(root);
  return path.join(root, 'shape');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function openTrusted(dir: string): Promise<ShapeLog> {
  const result = await ShapeLog.open(dir, { chunkBytes: CHUNK_BYTES });
  if (result.kind !== 'opened') throw new Error(`expected a trusted log, got ${result.code}: ${result.reason}`);
  return result.log;
}

async function writeSnapshot(log: ShapeLog, rows: number): Promise<string[]> {
  const messages = [...Array.from({ length: rows }, (_, i) => snapshotRow(i)), SNAPSHOT_END];
  await log.beginSnapshot();
  for (const message of messages) await log.appendSnapshotMessage(message);
  await log.finishSnapshot(SNAPSHOT_META);
  return messages;
}

/** 300 transactions of 1-40 changes of 100-600 bytes, a few alone larger than a chunk, with an odd op. */
function manyTransactions(): LogEntry[][] {
  const random = seededRandom(42);
  let lsn = 25_823_912n;
  return Array.from({ length: 300 }, (_, t) => {
    lsn += BigInt(1 + Math.floor(random() * 5000));
    const count = t % 50 === 7 ? 60 : 1 + Math.floor(random() * 40);
    const entries = transaction(lsn, count, 100 + Math.floor(random() * 500));
    if (t % 13 === 0) {
      // A primary-key-changing update: a delete at op and an insert at the reserved op+1 (protocol §4).
      const offset = { tx: lsn, op: 2 * count - 1 };
      entries.push({ offset, json: changeMessage(offset) });
    }
    return entries;
  });
}

const jsonBytes = (messages: readonly string[]) => messages.reduce((sum, m) => sum + Buffer.byteLength(m), 0);
const snapshotOffset = (k: number): LogOffset => ({ tx: 0n, op: k });
const BOUNDARY: LogOffset = { tx: 0n, op: 'inf' };

describe('ShapeLog chunking and reads (protocol §4)', () => {
  it('serves a 5 000-row snapshot and 300 transactions chunk by chunk, every message once and in order', async () => {
    const dir = freshDir();
    const log = await ShapeLog.create(dir, { chunkBytes: CHUNK_BYTES });
    const snapshot = await writeSnapshot(log, 5000);
    const transactions = manyTransactions();
    for (const entries of transactions) expect((await log.appendTransaction(entries)).appended).toBe(true);
    const changes = transactions.flat();

    const responses = await readAllChunks(log);
    expect(responses.flatMap((r) => r.messages)).toEqual([...snapshot, ...changes.map((e) => e.json)]);

    // Snapshot: -1 → 0_0, then 0_k → 0_(k+1); never at the head; the last chunk ends with snapshot-end.
    const snapshotResponses = responses.slice(0, log.snapshotChunkCount);
    expect(log.snapshotChunkCount).toBeGreaterThan(50);
    expect(snapshotResponses.map((r) => r.after)).toEqual([
      '-1',
      ...snapshotResponses.slice(1).map((_, k) => `0_${k}`),
    ]);
    expect(snapshotResponses.map((r) => r.end)).toEqual(snapshotResponses.map((_, k) => snapshotOffset(k)));
    expect(snapshotResponses.every((r) => !r.atHead)).toBe(true);
    expect(snapshotResponses.at(-1)!.messages.at(-1)).toBe(SNAPSHOT_END);
    for (const { messages } of snapshotResponses.slice(0, -1)) {
      // A chunk closes as soon as it reaches the threshold, not later.
      expect(jsonBytes(messages)).toBeGreaterThanOrEqual(CHUNK_BYTES);
      expect(jsonBytes(messages.slice(0, -1))).toBeLessThan(CHUNK_BYTES);
    }

    // Main log: read from 0_inf after the last snapshot chunk; real offsets, strictly increasing.
    const logResponses = responses.slice(log.snapshotChunkCount);
    expect(logResponses[0]!.after).toBe(`0_${log.snapshotChunkCount - 1}`);
    const ends = logResponses.map((r) => r.end);
    for (const [i, end] of ends.entries()) {
      expect(end.tx).toBeGreaterThan(0n);
      if (i > 0)
        expect(end.tx > ends[i - 1]!.tx || (end.tx === ends[i - 1]!.tx && end.op > ends[i - 1]!.op)).toBe(true);
    }
    expect(ends.at(-1)).toEqual(log.latestOffset);
    expect(logResponses.map((r) => r.atHead)).toEqual(logResponses.map((_, i) => i === logResponses.length - 1));

    // Transactions are never split: each chunk ends with a transaction's last entry and the next starts one.
    const lastOfTx = new Map(transactions.map((entries) => [entries[0]!.offset.tx, entries.at(-1)!.offset]));
    const bytesOfTx = new Map(
      transactions.map((entries) => [entries[0]!.offset.tx, jsonBytes(entries.map((e) => e.json))]),
    );
    for (const { messages, end } of logResponses) {
      expect(lastOfTx.get(end.tx)).toEqual(end);
      expect(offsetOf(messages.at(-1)!)).toBe(offsetText(end));
      expect(offsetOf(messages[0]!)).toMatch(/_0$/);
    }
    for (const { messages, end } of logResponses.slice(0, -1)) {
      expect(jsonBytes(messages)).toBeGreaterThanOrEqual(CHUNK_BYTES);
      expect(jsonBytes(messages) - bytesOfTx.get(end.tx)!).toBeLessThan(CHUNK_BYTES);
    }
    await log.close();
  });

  it('reads from an offset inside a chunk: the rest of that chunk, same end', async () => {
    const log = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    await writeSnapshot(log, 10);
    for (const entries of manyTransactions().slice(0, 40)) await log.appendTransaction(entries);
    const [first] = (await readAllChunks(log)).slice(log.snapshotChunkCount);
    const middle = first!.messages.length >> 1;
    const after = offsetOf(first!.messages[middle]!).split('_');
    const read = await log.read({ tx: BigInt(after[0]!), op: Number(after[1]) });
    expect(read.messages).toEqual(first!.messages.slice(middle + 1));
    expect(read.end).toEqual(first!.end);
    // An offset between entries (e.g. the reserved odd op) behaves the same: strictly after it.
    const between = await log.read({ tx: BigInt(after[0]!), op: Number(after[1]) + 1 });
    expect(between.messages).toEqual(read.messages);
    await log.close();
  });

  it('a shape with no changes: -1 → [rows, snapshot-end] at 0_0; 0_0 → nothing at 0_inf, up to date (§6)', async () => {
    const log = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    const snapshot = await writeSnapshot(log, 2);
    expect(log.latestOffset).toEqual(BOUNDARY);
    expect(await log.read('before-all')).toEqual({ messages: snapshot, end: snapshotOffset(0), atHead: false });
    expect(await log.read({ tx: -1n, op: 0 })).toEqual(await log.read('before-all'));
    expect(await log.read(snapshotOffset(0))).toEqual({ messages: [], end: BOUNDARY, atHead: true });
    expect(await log.read(BOUNDARY)).toEqual({ messages: [], end: BOUNDARY, atHead: true });
    expect(log.snapshotMeta).toEqual(SNAPSHOT_META);

    const tx = transaction(500n, 2);
    await log.appendTransaction(tx);
    const live = await log.read(BOUNDARY);
    expect(live).toEqual({ messages: tx.map((e) => e.json), end: { tx: 500n, op: 2 }, atHead: true });
    expect(await log.read(live.end)).toEqual({ messages: [], end: live.end, atHead: true });
    // Snapshot offsets past the last chunk also continue with the main log.
    expect(await log.read(snapshotOffset(7))).toEqual(live);
    await log.close();
  });

  it('an empty snapshot still has chunk 0', async () => {
    const log = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    await log.beginSnapshot();
    await log.finishSnapshot({});
    expect(log.snapshotChunkCount).toBe(1);
    expect(await log.read('before-all')).toEqual({ messages: [], end: snapshotOffset(0), atHead: false });
    await log.close();
  });

  it('offsets beyond the latest are out of bounds and refused by read', async () => {
    const log = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    await writeSnapshot(log, 1);
    expect(log.isOutOfBounds('before-all')).toBe(false);
    expect(log.isOutOfBounds(snapshotOffset(3))).toBe(false);
    expect(log.isOutOfBounds(BOUNDARY)).toBe(false);
    expect(log.isOutOfBounds({ tx: 1n, op: 0 })).toBe(true);
    await expect(log.read({ tx: 1n, op: 0 })).rejects.toThrow(OffsetOutOfBoundsError);
    await log.appendTransaction(transaction(10n, 3));
    expect(log.isOutOfBounds({ tx: 10n, op: 4 })).toBe(false);
    expect(log.isOutOfBounds({ tx: 10n, op: 5 })).toBe(true);
    expect(log.isOutOfBounds({ tx: 10n, op: 'inf' })).toBe(true);
    await log.close();
  });

  it('serves closed snapshot chunks while the snapshot is still being written', async () => {
    const log = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    await log.beginSnapshot();
    expect(() => log.readStream('before-all')).toThrow(SnapshotNotReadyError);
    let i = 0;
    while (log.snapshotChunkCount === 0) await log.appendSnapshotMessage(snapshotRow(i++));
    const first = await log.read('before-all');
    expect(first.messages).toEqual(Array.from({ length: i }, (_, j) => snapshotRow(j)));
    expect(first.end).toEqual(snapshotOffset(0));
    await expect(log.read(snapshotOffset(0))).rejects.toThrow(SnapshotNotReadyError);
    await log.appendSnapshotMessage(SNAPSHOT_END);
    await log.finishSnapshot(SNAPSHOT_META);
    expect(await log.read(snapshotOffset(0))).toEqual({
      messages: [SNAPSHOT_END],
      end: snapshotOffset(1),
      atHead: false,
    });
    await log.close();
  });
});

describe('ShapeLog appends', () => {
  it('ignores a re-delivered transaction (tx ≤ the last stored) and says so', async () => {
    const dir = freshDir();
    const log = await ShapeLog.create(dir, { chunkBytes: CHUNK_BYTES });
    await writeSnapshot(log, 1);
    expect(await log.appendTransaction(transaction(100n, 3))).toEqual({
      appended: true,
      latest: { tx: 100n, op: 4 },
      closedChunk: false,
    });
    const before = await readAllChunks(log);
    const size = fs.statSync(path.join(dir, 'log.data')).size;
    for (const tx of [100n, 99n, 1n]) {
      expect(await log.appendTransaction(transaction(tx, 5))).toEqual({
        appended: false,
        reason: 'already-stored',
        latest: { tx: 100n, op: 4 },
      });
    }
    expect(await log.appendTransaction([])).toMatchObject({ appended: false, reason: 'empty' });
    expect(fs.statSync(path.join(dir, 'log.data')).size).toBe(size);
    expect(await readAllChunks(log)).toEqual(before);
    await log.close();
  });

  it('refuses malformed transactions without breaking the log', async () => {
    const log = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    const at = (tx: bigint, op: number | 'inf', json = '{}') => ({ offset: { tx, op }, json });
    await expect(log.appendTransaction([at(5n, 2), at(5n, 2)])).rejects.toThrow(OutOfOrderOffsetError);
    await expect(log.appendTransaction([at(5n, 4), at(5n, 0)])).rejects.toThrow(OutOfOrderOffsetError);
    await expect(log.appendTransaction([at(5n, 0), at(6n, 2)])).rejects.toThrow(InvalidEntryError);
    await expect(log.appendTransaction([at(0n, 0)])).rejects.toThrow(InvalidEntryError);
    await expect(log.appendTransaction([at(5n, 'inf')])).rejects.toThrow(InvalidEntryError);
    await expect(log.appendTransaction([at(5n, 0, '{\n}')])).rejects.toThrow(/raw newline/);
    expect(await log.appendTransaction(transaction(5n, 2))).toMatchObject({ appended: true });
    expect(log.latestOffset).toEqual({ tx: 5n, op: 2 });
    await log.close();
  });

  it('enforces the snapshot sequence begin → append… → finish, once', async () => {
    const log = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    await expect(log.appendSnapshotMessage('{}')).rejects.toThrow(SnapshotStateError);
    await log.beginSnapshot();
    await expect(log.beginSnapshot()).rejects.toThrow(SnapshotStateError);
    await expect(log.appendSnapshotMessage('{\n}')).rejects.toThrow(InvalidEntryError);
    await expect(log.finishSnapshot({ lsn: 5n })).rejects.toThrow(InvalidSnapshotMetaError);
    await log.finishSnapshot({ xmin: '1' });
    await expect(log.appendSnapshotMessage('{}')).rejects.toThrow(SnapshotStateError);
    await expect(log.finishSnapshot({})).rejects.toThrow(SnapshotStateError);
    await log.close();
  });
});

describe('ShapeLog concurrent reads', () => {
  it('readers running alongside appends only ever see whole, committed entries, each once and in order', async () => {
    const dir = freshDir();
    const log = await ShapeLog.create(dir, { chunkBytes: CHUNK_BYTES });
    await writeSnapshot(log, 10);
    /** What log.index on disk says is committed, at this moment. */
    const durableLatest = () =>
      decodeHead(
        fs.readFileSync(path.join(dir, 'log.index')).subarray(HEAD_POSITION, HEAD_POSITION + HEAD_RECORD_BYTES),
      ).latest;
    // Every 15th transaction is ~3 MB, written in several batches: a reader racing a naive writer would see a torn one.
    const plan = Array.from({ length: 120 }, (_, t) =>
      t % 15 === 14 ? transaction(BigInt(1000 + t), 25, 120_000) : transaction(BigInt(1000 + t), 1 + (t % 9), 400),
    );
    const expected = plan.flat().map((e) => e.json);
    const transactionEnds = new Set(plan.map((entries) => offsetText(entries.at(-1)!.offset)));
    let writing = true;
    const writer = (async () => {
      for (const entries of plan) await log.appendTransaction(entries);
      writing = false;
    })();

    async function follow() {
      let seen = 0;
      let readsWhileWriting = 0;
      let after: LogOffset = BOUNDARY;
      for (;;) {
        const startedWhileWriting = writing;
        const { messages, end, atHead } = await log.read(after);
        if (startedWhileWriting) readsWhileWriting++;
        for (const message of messages) {
          if (message !== expected[seen]) throw new Error(`message ${seen} differs: ${message.slice(0, 80)}…`);
          seen++;
        }
        if (messages.length > 0) {
          // Whole transactions only, and only what the index on disk already records as committed.
          expect(offsetOf(messages.at(-1)!)).toBe(offsetText(end));
          expect(transactionEnds.has(offsetText(end))).toBe(true);
          expect(durableLatest().tx).toBeGreaterThanOrEqual(end.tx);
        }
        after = end;
        if (!startedWhileWriting && atHead) return { seen, readsWhileWriting };
        if (messages.length === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }

    const [, first, second] = await Promise.all([writer, follow(), follow()]);
    for (const reader of [first, second]) {
      expect(reader.seen).toBe(expected.length);
      expect(reader.readsWhileWriting).toBeGreaterThan(20);
    }
    await log.close();
  });
});

describe('ShapeLog lifecycle', () => {
  it('reopens after close with identical reads, and keeps the same chunk boundaries when appending on', async () => {
    const transactions = manyTransactions();
    const half = transactions.length / 2;

    const oneGo = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    await writeSnapshot(oneGo, 800);
    for (const entries of transactions) await oneGo.appendTransaction(entries);
    const expected = await readAllChunks(oneGo);
    await oneGo.close();

    const dir = freshDir();
    const first = await ShapeLog.create(dir, { chunkBytes: CHUNK_BYTES });
    await writeSnapshot(first, 800);
    for (const entries of transactions.slice(0, half)) await first.appendTransaction(entries);
    const beforeClose = await readAllChunks(first);
    await first.close();

    const reopened = await openTrusted(dir);
    expect(await readAllChunks(reopened)).toEqual(beforeClose);
    expect(reopened.snapshotMeta).toEqual(SNAPSHOT_META);
    expect(reopened.snapshotChunkCount).toBe(first.snapshotChunkCount);
    expect(reopened.isSnapshotFinished).toBe(true);
    // The replication stream restarts from an earlier point: re-delivered transactions are skipped.
    for (const entries of transactions.slice(half - 5)) await reopened.appendTransaction(entries);
    expect(await readAllChunks(reopened)).toEqual(expected);
    await reopened.close();
  });

  it('refuses to create over an existing log, and refuses use after close; destroy removes the directory', async () => {
    const dir = freshDir();
    const log = await ShapeLog.create(dir, { chunkBytes: CHUNK_BYTES });
    await expect(ShapeLog.create(dir, { chunkBytes: CHUNK_BYTES })).rejects.toThrow(ShapeLogExistsError);
    await log.close();
    await log.close();
    expect(() => log.readStream('before-all')).toThrow(ShapeLogClosedError);
    await expect(log.appendTransaction(transaction(1n, 1))).rejects.toThrow(ShapeLogClosedError);
    const again = await openTrusted(dir).catch(() => undefined);
    expect(again).toBeUndefined(); // never finished its snapshot
    const fresh = await ShapeLog.create(freshDir(), { chunkBytes: CHUNK_BYTES });
    await fresh.destroy();
    expect(fs.existsSync(fresh.dir)).toBe(false);
  });

  it('a stream interrupted by close fails with ShapeLogClosedError, not a file-handle error', async () => {
    const log = await ShapeLog.create(freshDir(), { chunkBytes: 10_000_000 });
    await writeSnapshot(log, 20_000);
    const { messages } = log.readStream('before-all');
    const iterator = messages[Symbol.asyncIterator]();
    await iterator.next();
    await log.close();
    await expect(
      (async () => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next());
      })(),
    ).rejects.toThrow(ShapeLogClosedError);
  });
});
