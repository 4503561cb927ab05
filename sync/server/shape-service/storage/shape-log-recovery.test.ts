import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/temp-dir.js';
import { HEAD_POSITION, HEAD_RECORD_BYTES } from './file-format.js';
import type { LogEntry } from './main-log.js';
import { ShapeLog } from './shape-log.js';
import { CHUNK_BYTES, SNAPSHOT_END, SNAPSHOT_META, readAllChunks, snapshotRow, transaction } from './test-fixtures.js';

const dirs: string[] = [];
function freshDir(): string {
  const root = makeTempDir('shape-log-recovery');
  dirs.push(root);
  return path.join(root, 'shape');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const options = { chunkBytes: CHUNK_BYTES };
/** 60 transactions of 1-12 changes of ~700 bytes: several closed log chunks and an open one. */
const TRANSACTIONS: LogEntry[][] = Array.from({ length: 60 }, (_, t) =>
  transaction(BigInt(1000 + 10 * t), 1 + (t % 12), 700),
);

async function writeLog(dir: string, transactions = TRANSACTIONS): Promise<ShapeLog> {
  const log = await ShapeLog.create(dir, options);
  await log.beginSnapshot();
  for (let i = 0; i < 300; i++) await log.appendSnapshotMessage(snapshotRow(i));
  await log.appendSnapshotMessage(SNAPSHOT_END);
  await log.finishSnapshot(SNAPSHOT_META);
  for (const entries of transactions) await log.appendTransaction(entries);
  return log;
}

async function openTrusted(dir: string): Promise<ShapeLog> {
  const result = await ShapeLog.open(dir, options);
  if (result.kind !== 'opened') throw new Error(`expected a trusted log, got ${result.code}: ${result.reason}`);
  return result.log;
}

function chopEnd(file: string, bytes: number): void {
  fs.truncateSync(file, fs.statSync(file).size - bytes);
}

function overwrite(file: string, position: number, bytes: Buffer | string): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes, 0, undefined, position);
  fs.closeSync(fd);
}

function lastRecordStart(dir: string): number {
  const data = fs.readFileSync(path.join(dir, 'log.data'));
  return data.lastIndexOf('\n', data.length - 2) + 1;
}

describe('ShapeLog.open reports logs it cannot vouch for as untrusted', () => {
  const cases: [string, (dir: string) => void, string, RegExp][] = [
    [
      'log.data lost its last 10 bytes',
      (d) => chopEnd(path.join(d, 'log.data'), 10),
      'truncated',
      /log\.data is \d+ bytes but log\.index records \d+ committed bytes/,
    ],
    [
      'snapshot.data lost its last 10 bytes',
      (d) => chopEnd(path.join(d, 'snapshot.data'), 10),
      'truncated',
      /snapshot\.data is \d+ bytes but snapshot\.index records/,
    ],
    [
      'log.index lost its last 10 bytes',
      (d) => chopEnd(path.join(d, 'log.index'), 10),
      'truncated',
      /log\.index ends mid-line/,
    ],
    [
      'snapshot.index lost its end line',
      (d) => chopEnd(path.join(d, 'snapshot.index'), 12),
      'truncated',
      /lacks its end line/,
    ],
    ['log.index was deleted', (d) => fs.rmSync(path.join(d, 'log.index')), 'missing', /log\.index is missing/],
    ['log.data was deleted', (d) => fs.rmSync(path.join(d, 'log.data')), 'missing', /log\.data is missing/],
    [
      'snapshot.index was deleted',
      (d) => fs.rmSync(path.join(d, 'snapshot.index')),
      'snapshot_unfinished',
      /begun but never finished/,
    ],
    [
      'snapshot.data was deleted',
      (d) => fs.rmSync(path.join(d, 'snapshot.data')),
      'missing',
      /snapshot\.data is missing/,
    ],
    [
      'the head record was damaged',
      (d) => overwrite(path.join(d, 'log.index'), HEAD_POSITION + 6, '9'),
      'corrupt',
      /CRC mismatch/,
    ],
    [
      'log.data is from a newer version',
      (d) => overwrite(path.join(d, 'log.data'), 0, 'fieldline-shape-log v9'),
      'unsupported_version',
      /unsupported version: fieldline-shape-log v9/,
    ],
    [
      'the last record is not the one indexed',
      (d) => overwrite(path.join(d, 'log.data'), lastRecordStart(d), '7'),
      'corrupt',
      /is not the entry/,
    ],
    ['the directory is gone', (d) => fs.rmSync(d, { recursive: true }), 'missing', /does not exist/],
  ];

  it.each(cases)('%s', async (_, damage, code, reason) => {
    const dir = freshDir();
    await (await writeLog(dir)).close();
    damage(dir);
    const result = await ShapeLog.open(dir, options);
    expect(result).toMatchObject({ kind: 'untrusted', code });
    expect(result.kind === 'untrusted' && result.reason).toMatch(reason);
  });

  it('an unfinished snapshot is untrusted, even with changes logged', async () => {
    const dir = freshDir();
    const log = await ShapeLog.create(dir, options);
    await log.beginSnapshot();
    for (let i = 0; i < 500; i++) await log.appendSnapshotMessage(snapshotRow(i));
    await log.appendTransaction(transaction(77n, 3));
    await log.close();
    expect(await ShapeLog.open(dir, options)).toEqual({
      kind: 'untrusted',
      code: 'snapshot_unfinished',
      reason: 'the snapshot was begun but never finished (snapshot.index is missing)',
    });
  });

  it('a snapshot never begun is untrusted', async () => {
    const dir = freshDir();
    await (await ShapeLog.create(dir, options)).close();
    expect(await ShapeLog.open(dir, options)).toMatchObject({ kind: 'untrusted', code: 'snapshot_unfinished' });
    await ShapeLog.removeDirectory(dir);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('ShapeLog.open recovers what a crash mid-append leaves, without losing acknowledged data', () => {
  it('cuts off an unacknowledged tail (a torn write after the last committed transaction)', async () => {
    const dir = freshDir();
    const log = await writeLog(dir);
    const expected = await readAllChunks(log);
    await log.close();
    const dataFile = path.join(dir, 'log.data');
    const committedSize = fs.statSync(dataFile).size;
    fs.appendFileSync(dataFile, '2000 0\t{"headers":{"operation":"ins');

    const reopened = await openTrusted(dir);
    expect(fs.statSync(dataFile).size).toBe(committedSize);
    expect(await readAllChunks(reopened)).toEqual(expected);
    // The re-delivered transaction is then stored whole.
    expect(await reopened.appendTransaction(transaction(2000n, 2))).toMatchObject({ appended: true });
    await reopened.close();
  });

  /** Writes TRANSACTIONS up to and including the first one after the third that closes a chunk. */
  async function writeUntilChunkCloses(dir: string) {
    const log = await writeLog(dir, []);
    const indexFile = path.join(dir, 'log.index');
    for (const [t, entries] of TRANSACTIONS.entries()) {
      const headBefore = fs.readFileSync(indexFile).subarray(HEAD_POSITION, HEAD_POSITION + HEAD_RECORD_BYTES);
      const readsBefore = await readAllChunks(log);
      const result = await log.appendTransaction(entries);
      if (t > 3 && result.appended && result.closedChunk) return { log, headBefore, readsBefore, entries };
    }
    throw new Error('no transaction closed a chunk');
  }

  it('rebuilds the chunk line when the head was written but the chunk line was lost', async () => {
    const dir = freshDir();
    const { log } = await writeUntilChunkCloses(dir);
    const expected = await readAllChunks(log);
    await log.close();
    const indexFile = path.join(dir, 'log.index');
    const lines = fs.readFileSync(indexFile, 'latin1').split('\n');
    chopEnd(indexFile, lines.at(-2)!.length + 1);

    const reopened = await openTrusted(dir);
    expect(await readAllChunks(reopened)).toEqual(expected);
    expect(fs.readFileSync(indexFile, 'latin1').split('\n')).toEqual(lines);
    await reopened.close();
  });

  it('drops a chunk line and data whose head never became durable; the re-delivered transaction rebuilds them', async () => {
    const dir = freshDir();
    const { log, headBefore, readsBefore, entries } = await writeUntilChunkCloses(dir);
    const expected = await readAllChunks(log);
    await log.close();
    overwrite(path.join(dir, 'log.index'), HEAD_POSITION, headBefore);

    const reopened = await openTrusted(dir);
    expect(await readAllChunks(reopened)).toEqual(readsBefore);
    expect(await reopened.appendTransaction(entries)).toMatchObject({ appended: true, closedChunk: true });
    expect(await readAllChunks(reopened)).toEqual(expected);
    await reopened.close();
    const again = await openTrusted(dir);
    expect(await readAllChunks(again)).toEqual(expected);
    await again.close();
  });
});
