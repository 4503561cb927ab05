/**
 * The initial snapshot: messages appended once, split into chunks by a byte threshold, and trusted
 * only once finished (snapshot.index exists only then). Chunks become readable as soon as they are
 * closed and written, before the snapshot finishes, so first requests need not wait for a large
 * table; that is safe without fsync because a crash before finishing rotates the whole shape.
 */
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SerialQueue } from './concurrency.js';
import type { ReadGate } from './concurrency.js';
import { SnapshotChunkIndex } from './chunk-index.js';
import type { ByteRange } from './chunk-index.js';
import {
  InvalidEntryError,
  InvalidSnapshotMetaError,
  ShapeLogWriteError,
  SnapshotStateError,
  UntrustedLogError,
} from './errors.js';
import {
  FILES,
  HEADERS,
  checkHeader,
  headerBytes,
  isNewline,
  parseSnapshotIndex,
  snapshotIndexLines,
} from './file-format.js';
import { fsyncDirectory, isErrno, openIfExists, readAt, readLines, writeFully } from './file-io.js';

/** Buffered snapshot bytes are written out at this size (or when a chunk closes). */
const FLUSH_BYTES = 256 * 1024;

type SnapshotState = 'absent' | 'writing' | 'finishing' | 'finished';

/** Whether chunk k can be read now: its byte range, not yet produced, or beyond the finished snapshot. */
export type SnapshotChunkStatus =
  { readonly kind: 'ready'; readonly range: ByteRange } | { readonly kind: 'pending' } | { readonly kind: 'past-end' };

export class SnapshotStore {
  private readonly chunks = new SnapshotChunkIndex(headerBytes(HEADERS.snapshotData));
  private readonly queue = new SerialQueue();
  private file: FileHandle | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Bytes handed to append (header included), flushed or not. */
  private writtenBytes = headerBytes(HEADERS.snapshotData);
  /** Bytes actually written to snapshot.data: readers may read up to here. */
  private flushedBytes = 0;
  private openChunkMessageBytes = 0;
  private metaValue: Readonly<Record<string, unknown>> | undefined;
  private failure: ShapeLogWriteError | undefined;

  private constructor(
    private readonly dir: string,
    private readonly chunkBytes: number,
    private state: SnapshotState,
  ) {}

  static fresh(dir: string, chunkBytes: number): SnapshotStore {
    return new SnapshotStore(dir, chunkBytes, 'absent');
  }

  /** Opens a finished snapshot, verifying the index against the data file's size, header and last byte. */
  static async load(dir: string, chunkBytes: number): Promise<SnapshotStore> {
    const indexText = await readIndexText(dir);
    const content = parseSnapshotIndex(indexText);
    const file = await openIfExists(path.join(dir, FILES.snapshotData), 'r');
    if (!file) {
      throw new UntrustedLogError('missing', `${FILES.snapshotData} is missing although ${FILES.snapshotIndex} exists`);
    }
    try {
      const store = new SnapshotStore(dir, chunkBytes, 'finished');
      await store.verifyData(file, content.dataBytes);
      for (const end of content.chunkEnds) store.chunks.add(end);
      if (store.chunks.count === 0 || store.chunks.openChunkStart !== content.dataBytes) {
        throw new RangeError(`the chunks do not end at the data's end (byte ${content.dataBytes})`);
      }
      store.file = file;
      store.flushedBytes = store.writtenBytes = content.dataBytes;
      store.metaValue = Object.freeze(content.meta);
      return store;
    } catch (error) {
      await file.close();
      if (error instanceof RangeError)
        throw new UntrustedLogError('corrupt', `${FILES.snapshotIndex}: ${error.message}`);
      throw error;
    }
  }

  private async verifyData(file: FileHandle, dataBytes: number): Promise<void> {
    const { size } = await file.stat();
    if (size !== dataBytes) {
      throw new UntrustedLogError(
        size < dataBytes ? 'truncated' : 'corrupt',
        `${FILES.snapshotData} is ${size} bytes but ${FILES.snapshotIndex} records ${dataBytes}`,
      );
    }
    const header = HEADERS.snapshotData;
    checkHeader(await readAt(file, 0, headerBytes(header)), header, FILES.snapshotData);
    if (size > headerBytes(header) && !isNewline((await readAt(file, size - 1, 1))[0])) {
      throw new UntrustedLogError('truncated', `${FILES.snapshotData} ends mid-record`);
    }
  }

  get isFinished(): boolean {
    return this.state === 'finished';
  }

  /** Closed chunks so far (all of them once finished). */
  get chunkCount(): number {
    return this.chunks.count;
  }

  get meta(): Readonly<Record<string, unknown>> | undefined {
    return this.metaValue;
  }

  async begin(): Promise<void> {
    if (this.state !== 'absent') throw new SnapshotStateError(`beginSnapshot(): the snapshot is already ${this.state}`);
    this.state = 'writing';
    // Queued, so appends made before this resolves are written after the header.
    await this.queue.run(() =>
      this.writing(async () => {
        const file = await fs.open(path.join(this.dir, FILES.snapshotData), 'wx+');
        this.file = file;
        await writeFully(file, Buffer.from(HEADERS.snapshotData, 'latin1'), 0);
        this.flushedBytes = headerBytes(HEADERS.snapshotData);
      }),
    );
  }

  /**
   * Appends one encoded message. Resolves at once while the message is only buffered; when a chunk
   * closes or the buffer is full it resolves after the write, which is the backpressure: await it.
   */
  async append(json: string): Promise<void> {
    this.assertWritable('appendSnapshotMessage()');
    if (json.includes('\n')) {
      throw new InvalidEntryError('a snapshot message contains a raw newline; encode it as single-line JSON');
    }
    const messageBytes = Buffer.byteLength(json);
    this.pending.push(json, '\n');
    this.pendingBytes += messageBytes + 1;
    this.writtenBytes += messageBytes + 1;
    this.openChunkMessageBytes += messageBytes;
    let chunkClosed = false;
    if (this.openChunkMessageBytes >= this.chunkBytes) {
      this.chunks.add(this.writtenBytes);
      this.openChunkMessageBytes = 0;
      chunkClosed = true;
    }
    if (chunkClosed || this.pendingBytes >= FLUSH_BYTES) await this.queue.run(() => this.flush());
  }

  /** Closes the last chunk, makes the data durable, then writes the index: from then on the snapshot is trusted. */
  async finish(meta: Record<string, unknown>): Promise<void> {
    this.assertWritable('finishSnapshot()');
    const metaJson = serialiseMeta(meta);
    this.state = 'finishing';
    // The last chunk ends with the last message (snapshot-end); an empty snapshot still has chunk 0.
    if (this.writtenBytes > this.chunks.openChunkStart || this.chunks.count === 0) this.chunks.add(this.writtenBytes);
    const storedMeta = JSON.parse(metaJson) as Record<string, unknown>;
    await this.queue.run(async () => {
      await this.flush();
      const file = this.file!;
      await this.writing(async () => {
        await file.datasync();
        await this.writeIndex(storedMeta);
      });
    });
    this.metaValue = Object.freeze(storedMeta);
    this.state = 'finished';
  }

  chunkStatus(k: number): SnapshotChunkStatus {
    const range = this.chunks.range(k);
    if (range && range.end <= this.flushedBytes) return { kind: 'ready', range };
    return this.state === 'finished' ? { kind: 'past-end' } : { kind: 'pending' };
  }

  /** The messages of a ready chunk, streamed from disk. */
  async *readChunk(range: ByteRange, gate: ReadGate): AsyncGenerator<string> {
    const file = this.file!;
    const read = (buffer: Buffer, position: number) =>
      gate.hold(async () => (await file.read(buffer, 0, buffer.length, position)).bytesRead);
    for await (const line of readLines(read, range.start, range.end)) yield line.toString('utf8');
  }

  async close(): Promise<void> {
    await this.queue.drain();
    await this.file?.close();
    this.file = undefined;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
    const file = this.file!;
    await this.writing(() => writeFully(file, bytes, this.flushedBytes));
    this.flushedBytes += bytes.length;
  }

  /** tmp + fsync + rename + directory fsync: the index appears whole or not at all. */
  private async writeIndex(meta: Record<string, unknown>): Promise<void> {
    const finalPath = path.join(this.dir, FILES.snapshotIndex);
    const tmpPath = `${finalPath}.tmp`;
    const tmp = await fs.open(tmpPath, 'w');
    try {
      let position = 0;
      let batch = '';
      const lines = snapshotIndexLines({ meta, chunkEnds: this.chunks.ends, dataBytes: this.writtenBytes });
      for (const line of lines) {
        batch += line;
        if (batch.length < FLUSH_BYTES) continue;
        const bytes = Buffer.from(batch);
        await writeFully(tmp, bytes, position);
        position += bytes.length;
        batch = '';
      }
      await writeFully(tmp, Buffer.from(batch), position);
      await tmp.datasync();
    } finally {
      await tmp.close();
    }
    await fs.rename(tmpPath, finalPath);
    await fsyncDirectory(this.dir);
  }

  private assertWritable(method: string): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'writing') {
      throw new SnapshotStateError(
        this.state === 'absent'
          ? `${method}: call beginSnapshot() first`
          : `${method}: the snapshot is ${this.state}; a snapshot is written once`,
      );
    }
  }

  /** Runs a write; on failure the snapshot refuses further writes (the caller rotates the shape). */
  private async writing<T>(write: () => Promise<T>): Promise<T> {
    if (this.failure) throw this.failure;
    try {
      return await write();
    } catch (error) {
      this.failure = new ShapeLogWriteError(this.dir, error);
      throw this.failure;
    }
  }
}

async function readIndexText(dir: string): Promise<string> {
  try {
    return await fs.readFile(path.join(dir, FILES.snapshotIndex), 'utf8');
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
    const begun = await fs.stat(path.join(dir, FILES.snapshotData)).then(
      () => true,
      () => false,
    );
    throw new UntrustedLogError(
      'snapshot_unfinished',
      begun
        ? `the snapshot was begun but never finished (${FILES.snapshotIndex} is missing)`
        : `no snapshot was ever written (${FILES.snapshotData} and ${FILES.snapshotIndex} are missing)`,
    );
  }
}

function serialiseMeta(meta: Record<string, unknown>): string {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new InvalidSnapshotMetaError(new TypeError('meta is not a plain object'));
  }
  try {
    return JSON.stringify(meta);
  } catch (error) {
    throw new InvalidSnapshotMetaError(error);
  }
}
