/**
 * Memory stays flat however large a shape grows. Its own test file, so it runs in its own worker
 * process and the RSS baseline is not disturbed by other tests.
 *
 * Measured (Node 20.20, Linux x64, 200 000 messages of ~200 bytes = 39 MB on disk, 10 000-byte
 * chunks, 3 001 responses): peak RSS growth 15-17 MB, heap retained after GC ~1 MB. Retaining the
 * read messages instead pushes these to ~69 MB and ~45 MB, so both bounds below catch a leak.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/temp-dir.js';
import type { ReadAfter } from './shape-log.js';
import { ShapeLog } from './shape-log.js';
import { CHUNK_BYTES, SNAPSHOT_END, SNAPSHOT_META, transaction } from './test-fixtures.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const root = makeTempDir('shape-log-memory');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const MB = 1024 * 1024;
const SNAPSHOT_ROWS = 100_000;
const TRANSACTIONS = 1000;
const ENTRIES_PER_TRANSACTION = 100;
const MESSAGE_BYTES = 200;

/** A ~200-byte insert, made on the fly so the test itself holds no copy of the shape. */
function row(i: number): string {
  const base = `{"key":"\\"public\\".\\"items\\"/\\"${i}\\"","value":{"id":"${i}","title":"`;
  const tail = `"},"headers":{"operation":"insert","relation":["public","items"]}}`;
  return base + 't'.repeat(MESSAGE_BYTES - base.length - tail.length) + tail;
}

it('writes and reads 200 000 messages of ~200 bytes with flat memory', async () => {
  gc();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };

  const dir = path.join(root, 'shape');
  const log = await ShapeLog.create(dir, { chunkBytes: CHUNK_BYTES });
  await log.beginSnapshot();
  for (let i = 0; i < SNAPSHOT_ROWS; i++) {
    await log.appendSnapshotMessage(row(i));
    if (i % 1000 === 0) sample();
  }
  await log.appendSnapshotMessage(SNAPSHOT_END);
  await log.finishSnapshot(SNAPSHOT_META);
  for (let t = 1; t <= TRANSACTIONS; t++) {
    await log.appendTransaction(transaction(BigInt(t) * 1000n, ENTRIES_PER_TRANSACTION, MESSAGE_BYTES));
    sample();
  }

  let messages = 0;
  let responses = 0;
  let after: ReadAfter = 'before-all';
  for (;;) {
    const read = await log.read(after);
    messages += read.messages.length;
    responses++;
    sample();
    if (read.atHead) break;
    after = read.end;
  }
  await log.close();
  gc();
  const end = process.memoryUsage();

  const onDisk = ['snapshot.data', 'log.data'].reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  const figures = {
    onDiskMB: +(onDisk / MB).toFixed(1),
    responses,
    peakRssGrowthMB: +((peakRss - baseline.rss) / MB).toFixed(1),
    heapRetainedAfterGcMB: +((end.heapUsed - baseline.heapUsed) / MB).toFixed(1),
  };
  console.log('shape-log memory:', JSON.stringify(figures));

  expect(messages).toBe(SNAPSHOT_ROWS + 1 + TRANSACTIONS * ENTRIES_PER_TRANSACTION);
  expect(onDisk).toBeGreaterThan(35 * MB); // more than the RSS bound: holding it would fail
  expect(peakRss - baseline.rss).toBeLessThan(50 * MB);
  expect(end.heapUsed - baseline.heapUsed).toBeLessThan(5 * MB);
});
