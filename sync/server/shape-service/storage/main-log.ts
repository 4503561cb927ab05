/**
 * The main log: whole transactions appended to log.data, chunk boundaries and the committed head in
 * log.index. Each append fsyncs the data, then the index; only then does the new head become
 * visible to readers, so a reader never sees an entry that is partial or not yet durable.
 */
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { LogOffset } from '../types.js';
import { LogChunkIndex } from './chunk-index.js';
import type { ByteRange } from './chunk-index.js';
import type { ReadGate } from './concurrency.js';
import {
  InvalidEntryError,
  OffsetOutOfBoundsError,
  OutOfOrderOffsetError,
  ShapeLogWriteError,
  UntrustedLogError,
} from './errors.js';
import {
  FILES,
  FIRST_CHUNK_LINE_POSITION,
  HEADERS,
  HEAD_POSITION,
  MAX_RECORD_PREFIX_BYTES,
  checkHeader,
  decodeChunkLine,
  decodeHead,
  encodeChunkLine,
  encodeHead,
  headerBytes,
  isNewline,
  parseRecordOffset,
  recordJson,
  recordPrefix,
} from './file-format.js';
import type { ChunkLine, LogHead } from './file-format.js';
import { openIfExists, readAt, readLines, writeFully } from './file-io.js';
import { LAST_SNAPSHOT as SNAPSHOT_BOUNDARY, compareOffsets, formatOffset, offsetsEqual } from '../protocol/offset.js';

/** One main-log entry: its real offset and its already-encoded JSON message. */
export type LogEntry = { readonly offset: LogOffset; readonly json: string };

export type AppendResult =
  | { readonly appended: true; readonly latest: LogOffset; readonly closedChunk: boolean }
  /** Nothing was written: the transaction had no entries, or its tx is not newer than the last stored one. */
  | { readonly appended: false; readonly reason: 'empty' | 'already-stored'; readonly latest: LogOffset };

/** What a read after `after` returns, decided from the in-memory index before touching the data. */
export type LogReadPlan = {
  /** Bytes to scan; entries in it at or before `after` are skipped. Empty when there is nothing new. */
  readonly range: ByteRange | undefined;
  readonly after: LogOffset;
  readonly end: LogOffset;
  readonly atHead: boolean;
};

/** Transaction bytes are encoded and written in batches of about this size, not all at once. */
const WRITE_BATCH_CHARS = 1024 * 1024;
const DATA_START = headerBytes(HEADERS.logData);

const EMPTY_HEAD: LogHead = {
  committedBytes: DATA_START,
  lastRecordStart: -1,
  latest: SNAPSHOT_BOUNDARY,
  openChunkStart: DATA_START,
  openChunkMessageBytes: 0,
};

export class MainLog {
  private failure: ShapeLogWriteError | undefined;

  private constructor(
    private readonly dir: string,
    private readonly chunkBytes: number,
    private readonly data: FileHandle,
    private readonly index: FileHandle,
    private head: LogHead,
    private readonly chunks: LogChunkIndex,
    /** Where the next chunk line goes in log.index. */
    private indexBytes: number,
  ) {}

  /** Writes empty log.data and log.index (the caller fsyncs the directory). */
  static async create(dir: string, chunkBytes: number): Promise<MainLog> {
    const data = await fs.open(path.join(dir, FILES.logData), 'wx+');
    const index = await fs.open(path.join(dir, FILES.logIndex), 'wx+').catch(async (error: unknown) => {
      await data.close();
      throw error;
    });
    try {
      await writeFully(data, Buffer.from(HEADERS.logData, 'latin1'), 0);
      await writeFully(index, Buffer.concat([Buffer.from(HEADERS.logIndex, 'latin1'), encodeHead(EMPTY_HEAD)]), 0);
      await data.datasync();
      await index.datasync();
    } catch (error) {
      await data.close();
      await index.close();
      throw error;
    }
    const chunks = new LogChunkIndex(DATA_START);
    return new MainLog(dir, chunkBytes, data, index, EMPTY_HEAD, chunks, FIRST_CHUNK_LINE_POSITION);
  }

  /**
   * Opens and verifies the log without scanning it: headers, the head record's CRC, the chunk lines,
   * the data file's size against the committed length, and the last record and last chunk end.
   * An unacknowledged tail left by a crash mid-append is cut off; a shortfall means lost data.
   */
  static async load(dir: string, chunkBytes: number): Promise<MainLog> {
    const data = await openIfExists(path.join(dir, FILES.logData), 'r+');
    const index = data && (await openIfExists(path.join(dir, FILES.logIndex), 'r+'));
    if (!data || !index) {
      await data?.close();
      throw new UntrustedLogError('missing', `${data ? FILES.logIndex : FILES.logData} is missing`);
    }
    try {
      const { head, chunks, indexBytes, droppedChunkLines } = await readIndex(index);
      const dataBytes = (await data.stat()).size;
      await verifyData(data, dataBytes, head, chunks);
      const missingChunk = missingLastChunkLine(head, chunks);
      const log = new MainLog(dir, chunkBytes, data, index, head, chunks, indexBytes);
      await log.repair(dataBytes > head.committedBytes, droppedChunkLines, missingChunk);
      return log;
    } catch (error) {
      await data.close();
      await index.close();
      if (error instanceof RangeError) throw new UntrustedLogError('corrupt', `${FILES.logIndex}: ${error.message}`);
      throw error;
    }
  }

  /** The last entry's offset, or `0_inf` while the log is empty. */
  get latest(): LogOffset {
    return this.head.latest;
  }

  /** Appends one whole transaction; the caller runs appends one at a time. */
  async append(entries: readonly LogEntry[]): Promise<AppendResult> {
    if (this.failure) throw this.failure;
    validateTransaction(entries);
    const first = entries[0];
    if (!first) return { appended: false, reason: 'empty', latest: this.latest };
    if (this.head.lastRecordStart >= 0 && first.offset.tx <= this.head.latest.tx) {
      return { appended: false, reason: 'already-stored', latest: this.latest };
    }
    try {
      return await this.write(entries);
    } catch (error) {
      this.failure = new ShapeLogWriteError(this.dir, error);
      throw this.failure;
    }
  }

  private async write(entries: readonly LogEntry[]): Promise<AppendResult> {
    let position = this.head.committedBytes;
    let lastRecordStart = position;
    let messageBytes = 0;
    let batch = '';
    let batchStart = position;
    for (const { offset, json } of entries) {
      const prefix = recordPrefix(offset);
      const jsonBytes = Buffer.byteLength(json);
      lastRecordStart = position;
      position += prefix.length + jsonBytes + 1;
      messageBytes += jsonBytes;
      batch += `${prefix}${json}\n`;
      if (batch.length >= WRITE_BATCH_CHARS) {
        await writeFully(this.data, Buffer.from(batch), batchStart);
        batch = '';
        batchStart = position;
      }
    }
    if (batch) await writeFully(this.data, Buffer.from(batch), batchStart);
    await this.data.datasync();

    const latest = entries[entries.length - 1]!.offset;
    const openChunkMessageBytes = this.head.openChunkMessageBytes + messageBytes;
    // Checked only here, after the whole transaction, so a chunk never ends mid-transaction.
    const closesChunk = openChunkMessageBytes >= this.chunkBytes;
    const chunkLine: ChunkLine = { endByte: position, lastRecordStart, end: latest };
    const encodedChunkLine = closesChunk ? encodeChunkLine(chunkLine) : undefined;
    if (encodedChunkLine) await writeFully(this.index, encodedChunkLine, this.indexBytes);
    const head: LogHead = {
      committedBytes: position,
      lastRecordStart,
      latest,
      openChunkStart: closesChunk ? position : this.head.openChunkStart,
      openChunkMessageBytes: closesChunk ? 0 : openChunkMessageBytes,
    };
    await writeFully(this.index, encodeHead(head), HEAD_POSITION);
    await this.index.datasync();

    // Publish synchronously: readers see the old state or the new one, never a mix.
    if (encodedChunkLine) {
      this.chunks.add(chunkLine);
      this.indexBytes += encodedChunkLine.length;
    }
    this.head = head;
    return { appended: true, latest, closedChunk: closesChunk };
  }

  /**
   * The chunk holding the first entry after `after` (a closed chunk, else the open one up to the
   * committed head), or nothing when there is no such entry.
   */
  planRead(after: LogOffset): LogReadPlan {
    const { latest } = this.head;
    if (compareOffsets(after, latest) > 0) throw new OffsetOutOfBoundsError(formatOffset(after), formatOffset(latest));
    const chunk = this.chunks.firstEndingAfter(after);
    if (chunk) {
      const range = { start: chunk.startByte, end: chunk.endByte };
      return { range, after, end: chunk.end, atHead: offsetsEqual(chunk.end, latest) };
    }
    if (compareOffsets(after, latest) < 0) {
      return {
        range: { start: this.chunks.openChunkStart, end: this.head.committedBytes },
        after,
        end: latest,
        atHead: true,
      };
    }
    return { range: undefined, after, end: latest, atHead: true };
  }

  /** The messages of a planned read, streamed from disk. */
  async *readPlanned(plan: LogReadPlan, gate: ReadGate): AsyncGenerator<string> {
    if (!plan.range) return;
    const read = (buffer: Buffer, position: number) =>
      gate.hold(async () => (await this.data.read(buffer, 0, buffer.length, position)).bytesRead);
    let skipping = true;
    let position = plan.range.start;
    for await (const line of readLines(read, plan.range.start, plan.range.end)) {
      const recordStart = position;
      position += line.length + 1;
      const json = recordJson(line);
      const offset = skipping ? parseRecordOffset(line) : undefined;
      if (json === undefined || (skipping && !offset)) {
        throw new UntrustedLogError('corrupt', `${FILES.logData}: the record at byte ${recordStart} has no offset`);
      }
      // Entries are ordered, so once one is after `after` all the rest are too.
      if (offset && compareOffsets(offset, plan.after) <= 0) continue;
      skipping = false;
      yield json;
    }
  }

  async close(): Promise<void> {
    await this.data.close();
    await this.index.close();
  }

  /** Open-time fixes for what a crash mid-append can leave behind; nothing here loses acknowledged data. */
  private async repair(hasUncommittedTail: boolean, droppedChunkLines: boolean, missingChunk?: ChunkLine) {
    if (hasUncommittedTail) {
      await this.data.truncate(this.head.committedBytes);
      await this.data.datasync();
    }
    if (droppedChunkLines) await this.index.truncate(this.indexBytes);
    if (missingChunk) {
      const line = encodeChunkLine(missingChunk);
      await writeFully(this.index, line, this.indexBytes);
      this.chunks.add(missingChunk);
      this.indexBytes += line.length;
    }
    if (droppedChunkLines || missingChunk) await this.index.datasync();
  }
}

/** Rejects what cannot be stored; a re-delivered transaction passes this and is ignored by the tx check after. */
function validateTransaction(entries: readonly LogEntry[]): void {
  const first = entries[0];
  if (!first) return;
  if (first.offset.tx <= 0n) {
    throw new InvalidEntryError(`tx ${first.offset.tx} is not a commit LSN: tx 0 is reserved for the snapshot`);
  }
  let previousOp = -1;
  for (const [i, { offset, json }] of entries.entries()) {
    if (offset.tx !== first.offset.tx) {
      throw new InvalidEntryError(
        `appendTransaction() takes one transaction: entry ${i} has tx ${offset.tx}, the first has ${first.offset.tx}`,
      );
    }
    if (offset.op === 'inf' || !Number.isSafeInteger(offset.op) || offset.op < 0) {
      throw new InvalidEntryError(`entry ${i} has op ${offset.op}; real entries need a non-negative integer op`);
    }
    if (offset.op <= previousOp) {
      throw new OutOfOrderOffsetError(
        `entry ${i} (${formatOffset(offset)}) does not come after op ${previousOp}: ops must increase within a transaction`,
      );
    }
    if (json.includes('\n')) {
      throw new InvalidEntryError(
        `entry ${formatOffset(offset)} contains a raw newline; encode it as single-line JSON`,
      );
    }
    previousOp = offset.op;
  }
}

type IndexContent = { head: LogHead; chunks: LogChunkIndex; indexBytes: number; droppedChunkLines: boolean };

/** Reads log.index whole: a header, a head record and one short line per closed chunk. */
async function readIndex(index: FileHandle): Promise<IndexContent> {
  const bytes = await index.readFile();
  checkHeader(bytes.subarray(0, HEAD_POSITION), HEADERS.logIndex, FILES.logIndex);
  if (bytes.length < FIRST_CHUNK_LINE_POSITION) {
    throw new UntrustedLogError('truncated', `${FILES.logIndex} is shorter than its head record`);
  }
  const head = decodeHead(bytes.subarray(HEAD_POSITION, FIRST_CHUNK_LINE_POSITION));
  const text = bytes.subarray(FIRST_CHUNK_LINE_POSITION).toString('latin1');
  if (text && !text.endsWith('\n')) throw new UntrustedLogError('truncated', `${FILES.logIndex} ends mid-line`);
  const chunks = new LogChunkIndex(DATA_START);
  let indexBytes = FIRST_CHUNK_LINE_POSITION;
  const lines = text ? text.slice(0, -1).split('\n') : [];
  for (const [i, text] of lines.entries()) {
    const line = decodeChunkLine(text, i + 3);
    // Written by an append whose head never became durable: that transaction was not acknowledged.
    if (line.endByte > head.committedBytes) return { head, chunks, indexBytes, droppedChunkLines: true };
    chunks.add(line);
    indexBytes += text.length + 1;
  }
  return { head, chunks, indexBytes, droppedChunkLines: false };
}

async function verifyData(data: FileHandle, dataBytes: number, head: LogHead, chunks: LogChunkIndex): Promise<void> {
  checkHeader(await readAt(data, 0, DATA_START), HEADERS.logData, FILES.logData);
  if (dataBytes < head.committedBytes) {
    throw new UntrustedLogError(
      'truncated',
      `${FILES.logData} is ${dataBytes} bytes but ${FILES.logIndex} records ${head.committedBytes} committed bytes`,
    );
  }
  if (head.lastRecordStart < 0) {
    if (head.committedBytes !== DATA_START || !offsetsEqual(head.latest, SNAPSHOT_BOUNDARY) || chunks.count > 0) {
      throw new UntrustedLogError('corrupt', `${FILES.logIndex}: the head says the log is empty but it is not`);
    }
    return;
  }
  const { lastRecordStart, committedBytes, openChunkStart } = head;
  if (openChunkStart > committedBytes || lastRecordStart >= committedBytes || lastRecordStart < DATA_START) {
    throw new UntrustedLogError('corrupt', `${FILES.logIndex}: the head record's positions are inconsistent`);
  }
  await verifyRecordAt(data, head.lastRecordStart, head.committedBytes, head.latest);
  const last = chunks.last;
  if (last) await verifyRecordAt(data, last.lastRecordStart, last.endByte, last.end);
}

/** Checks that a record with offset `expected` starts at `start` and that a record ends at `end`. */
async function verifyRecordAt(data: FileHandle, start: number, end: number, expected: LogOffset): Promise<void> {
  const [before] = await readAt(data, start - 1, 1);
  const [last] = await readAt(data, end - 1, 1);
  const prefix = await readAt(data, start, Math.min(MAX_RECORD_PREFIX_BYTES + 1, end - start));
  const offset = parseRecordOffset(prefix);
  if (!isNewline(before) || !isNewline(last) || !offset || !offsetsEqual(offset, expected)) {
    throw new UntrustedLogError(
      'corrupt',
      `${FILES.logData}: the record at byte ${start} is not the entry ${formatOffset(expected)} ending at byte ${end} that ${FILES.logIndex} records`,
    );
  }
}

/**
 * A crash between the index writes of an append that closed a chunk can leave the head durable but
 * not the chunk line. The head then says the open chunk starts at the committed end; rebuild the line.
 */
function missingLastChunkLine(head: LogHead, chunks: LogChunkIndex): ChunkLine | undefined {
  if (chunks.openChunkStart === head.openChunkStart) return undefined;
  const rebuildable =
    chunks.openChunkStart < head.openChunkStart &&
    head.openChunkStart === head.committedBytes &&
    head.lastRecordStart >= chunks.openChunkStart;
  if (!rebuildable) {
    throw new UntrustedLogError(
      'corrupt',
      `${FILES.logIndex}: the chunk lines end at byte ${chunks.openChunkStart} but the head's open chunk starts at ${head.openChunkStart}`,
    );
  }
  return { endByte: head.committedBytes, lastRecordStart: head.lastRecordStart, end: head.latest };
}
