/**
 * ShapeLog: the on-disk log of one shape, its initial snapshot followed by its main log, served in
 * the chunks of the Electric protocol (§4).
 *
 * Guarantees
 * - Bounded memory: messages live on disk; memory holds a few numbers per closed chunk, a write
 *   buffer of at most ~1 MiB, and whatever one read returns (one chunk; `readStream` streams even that).
 * - Durability: `appendTransaction` resolves only after the data and then the index are fsynced;
 *   `finishSnapshot` only after the snapshot data and its index are. Nothing unacknowledged is served.
 * - Stable chunks: a chunk, once closed, keeps its bytes and end offset for the life of the log, so
 *   responses are cacheable and identical for every client. Main-log chunks close only at
 *   transaction boundaries.
 * - Readers never see a partial entry: they read only up to the committed length, which advances
 *   after the fsyncs, so reads run safely alongside an append.
 * - No silent gaps: `open` cheaply verifies the files (headers, the index against file sizes, the
 *   last records) and reports a log it cannot vouch for as `untrusted` with a reason, so the caller
 *   rotates the shape (clients get 409). A tail left by a crash mid-append (never acknowledged) is
 *   cut off; a re-delivered transaction (tx ≤ the last stored) is ignored and reported as such.
 *
 * Appends and snapshot writes must come from one writer per directory (one ShapeLog instance).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LogOffset } from '../types.js';
import { ReadGate, SerialQueue } from './concurrency.js';
import { ShapeLogClosedError, ShapeLogExistsError, SnapshotNotReadyError, UntrustedLogError } from './errors.js';
import type { UntrustedCode } from './errors.js';
import { fsyncDirectory, isErrno } from './file-io.js';
import { MainLog } from './main-log.js';
import type { AppendResult, LogEntry } from './main-log.js';
import {
  LAST_SNAPSHOT as SNAPSHOT_BOUNDARY,
  compareOffsets,
  snapshotChunkOffset as snapshotChunkEnd,
} from '../protocol/offset.js';
import { SnapshotStore } from './snapshot-store.js';

/** Offsets inside the snapshot region (`0_k`), excluding its boundary `0_inf`. */
const isSnapshotOffset = (o: LogOffset): o is { tx: bigint; op: number } => o.tx === 0n && o.op !== 'inf';

export type ShapeLogOptions = {
  /**
   * A chunk closes once the JSON bytes of its messages reach this many (Electric's
   * ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD: 10 MiB by default, 10 000 in its CI).
   */
  readonly chunkBytes: number;
};

export type OpenResult =
  | { readonly kind: 'opened'; readonly log: ShapeLog }
  /** The files cannot be vouched for: rotate the shape (remove the directory, new handle, 409 to clients). */
  | { readonly kind: 'untrusted'; readonly code: UntrustedCode; readonly reason: string };

/** `'before-all'` is the protocol's `-1`; a LogOffset with a negative tx means the same. */
export type ReadAfter = LogOffset | 'before-all';

export type ReadResult = {
  readonly messages: string[];
  /** The chunk end: what the client sends as its next offset (`electric-offset`). */
  readonly end: LogOffset;
  /** The response reaches the log's current end: the server adds `up-to-date`. */
  readonly atHead: boolean;
};

/** Like ReadResult, with the messages streamed from disk as they are iterated. */
export type StreamedRead = Omit<ReadResult, 'messages'> & { readonly messages: AsyncIterable<string> };

export class ShapeLog {
  private readonly gate = new ReadGate(() => new ShapeLogClosedError(this.dir));
  private readonly appends = new SerialQueue();
  private closing: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    private readonly snapshot: SnapshotStore,
    private readonly log: MainLog,
  ) {}

  /** Starts a new, empty shape log in `dir`, which must not exist or be empty. */
  static async create(dir: string, options: ShapeLogOptions): Promise<ShapeLog> {
    const chunkBytes = checkChunkBytes(options);
    await fs.mkdir(dir, { recursive: true });
    if ((await fs.readdir(dir)).length > 0) throw new ShapeLogExistsError(dir);
    const log = await MainLog.create(dir, chunkBytes);
    await fsyncDirectory(dir);
    await fsyncDirectory(path.dirname(path.resolve(dir)));
    return new ShapeLog(dir, SnapshotStore.fresh(dir, chunkBytes), log);
  }

  /** Opens an existing log after verifying it, or says why it cannot be trusted. */
  static async open(dir: string, options: ShapeLogOptions): Promise<OpenResult> {
    const chunkBytes = checkChunkBytes(options);
    let snapshot: SnapshotStore | undefined;
    try {
      await fs.stat(dir).catch((error: unknown) => {
        throw isErrno(error, 'ENOENT') ? new UntrustedLogError('missing', `${dir} does not exist`) : error;
      });
      snapshot = await SnapshotStore.load(dir, chunkBytes);
      const log = await MainLog.load(dir, chunkBytes);
      return { kind: 'opened', log: new ShapeLog(dir, snapshot, log) };
    } catch (error) {
      await snapshot?.close();
      if (error instanceof UntrustedLogError) return { kind: 'untrusted', code: error.code, reason: error.message };
      throw error;
    }
  }

  /** Removes a log directory that `open` reported untrusted (or any closed one). */
  static async removeDirectory(dir: string): Promise<void> {
    await fs.rm(dir, { recursive: true, force: true });
  }

  // -------------------------------------------------------------------------------------------
  // Snapshot

  async beginSnapshot(): Promise<void> {
    this.assertOpen();
    return this.snapshot.begin();
  }

  /** Appends one encoded message (the last one is `snapshot-end`). Await it: that is the backpressure. */
  async appendSnapshotMessage(json: string): Promise<void> {
    this.assertOpen();
    return this.snapshot.append(json);
  }

  /** Closes the last chunk and stores `meta` (xmin, xmax, xip_list…); from then on the snapshot is trusted. */
  async finishSnapshot(meta: Record<string, unknown>): Promise<void> {
    this.assertOpen();
    return this.snapshot.finish(meta);
  }

  /** Closed snapshot chunks: all of them once the snapshot is finished. */
  get snapshotChunkCount(): number {
    return this.snapshot.chunkCount;
  }

  get isSnapshotFinished(): boolean {
    return this.snapshot.isFinished;
  }

  /** The meta given to `finishSnapshot`, or undefined before that. */
  get snapshotMeta(): Readonly<Record<string, unknown>> | undefined {
    return this.snapshot.meta;
  }

  // -------------------------------------------------------------------------------------------
  // Main log

  /**
   * Appends one whole transaction (all entries share its commit LSN as tx; ops increase). Durable
   * when it resolves. A transaction with tx ≤ the last stored one is not written again:
   * `{appended: false, reason: 'already-stored'}`.
   */
  async appendTransaction(entries: readonly LogEntry[]): Promise<AppendResult> {
    this.assertOpen();
    return this.appends.run(() => this.log.append(entries));
  }

  /** The last entry's offset, or `0_inf` for a shape with no changes. */
  get latestOffset(): LogOffset {
    return this.log.latest;
  }

  /** Whether `offset` lies beyond the latest offset (the server waits, then answers 400). */
  isOutOfBounds(offset: ReadAfter): boolean {
    return offset !== 'before-all' && compareOffsets(offset, this.log.latest) > 0;
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /**
   * The chunk after `after`, per protocol §4:
   * - `before-all` (`-1`) → snapshot chunk 0, end `0_0`;
   * - `0_k` → snapshot chunk k+1, or past the last snapshot chunk the main log from `0_inf`;
   * - a real offset → the entries after it up to the end of the chunk holding the first of them;
   *   none → no messages, end = the latest offset, atHead.
   * Throws SnapshotNotReadyError for a snapshot chunk not produced yet, OffsetOutOfBoundsError
   * beyond the latest offset, and UntrustedLogError if the data on disk turns out damaged.
   */
  async read(after: ReadAfter): Promise<ReadResult> {
    const { end, atHead, messages } = this.readStream(after);
    const collected: string[] = [];
    for await (const message of messages) collected.push(message);
    return { messages: collected, end, atHead };
  }

  /** As `read`, but the messages are read from disk as they are iterated (for a very large chunk). */
  readStream(after: ReadAfter): StreamedRead {
    this.assertOpen();
    if (after === 'before-all' || after.tx < 0n) return this.snapshotChunk(0);
    if (isSnapshotOffset(after)) {
      const next = Math.max(0, Math.floor(after.op) + 1);
      if (this.snapshot.chunkStatus(next).kind !== 'past-end') return this.snapshotChunk(next);
      return this.mainLogAfter(SNAPSHOT_BOUNDARY);
    }
    return this.mainLogAfter(after);
  }

  private snapshotChunk(k: number): StreamedRead {
    const status = this.snapshot.chunkStatus(k);
    if (status.kind !== 'ready') throw new SnapshotNotReadyError(k);
    // Never atHead: the main log (from 0_inf) always follows, and `-1` must not get up-to-date (§6).
    return { end: snapshotChunkEnd(k), atHead: false, messages: this.snapshot.readChunk(status.range, this.gate) };
  }

  private mainLogAfter(after: LogOffset): StreamedRead {
    const plan = this.log.planRead(after);
    return { end: plan.end, atHead: plan.atHead, messages: this.log.readPlanned(plan, this.gate) };
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Waits for queued appends and in-flight reads, then closes the files. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.appends.drain();
      await this.gate.close();
      await this.snapshot.close();
      await this.log.close();
    })();
    return this.closing;
  }

  /** Closes the log and removes its directory. */
  async destroy(): Promise<void> {
    await this.close();
    await ShapeLog.removeDirectory(this.dir);
  }

  private assertOpen(): void {
    if (this.closing || this.gate.isClosed) throw new ShapeLogClosedError(this.dir);
  }
}

function checkChunkBytes({ chunkBytes }: ShapeLogOptions): number {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  return chunkBytes;
}
