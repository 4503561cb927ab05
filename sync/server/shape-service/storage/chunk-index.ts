/**
 * In-memory indexes of closed chunks: a few numbers per chunk, so they stay small however many
 * entries a chunk holds. The data itself is always read from disk.
 */
import type { LogOffset } from '../types.js';
import type { ChunkLine } from './file-format.js';
import { compareOffsets, formatOffset } from '../protocol/offset.js';

export type ByteRange = { readonly start: number; readonly end: number };

export type ClosedLogChunk = ChunkLine & { readonly startByte: number };

/** Closed chunks of the main log, in log order; each ends at a transaction boundary. */
export class LogChunkIndex {
  private readonly chunks: ClosedLogChunk[] = [];

  /** @param dataStart where the first chunk starts (just after the data file's header) */
  constructor(private readonly dataStart: number) {}

  get count(): number {
    return this.chunks.length;
  }

  get last(): ClosedLogChunk | undefined {
    return this.chunks[this.chunks.length - 1];
  }

  /** Where the chunk that has not closed yet starts. */
  get openChunkStart(): number {
    return this.last?.endByte ?? this.dataStart;
  }

  /** Adds the next closed chunk; throws RangeError when it does not follow the previous one. */
  add(line: ChunkLine): ClosedLogChunk {
    const startByte = this.openChunkStart;
    const previous = this.last;
    if (line.endByte <= startByte || line.lastRecordStart < startByte || line.lastRecordStart >= line.endByte) {
      throw new RangeError(
        `chunk ending at byte ${line.endByte} (last record at ${line.lastRecordStart}) does not follow byte ${startByte}`,
      );
    }
    if (previous && compareOffsets(line.end, previous.end) <= 0) {
      throw new RangeError(
        `chunk end offset ${formatOffset(line.end)} is not after the previous ${formatOffset(previous.end)}`,
      );
    }
    const chunk = { ...line, startByte };
    this.chunks.push(chunk);
    return chunk;
  }

  /** The first closed chunk whose end offset is after `offset`, i.e. the one holding the next entry. */
  firstEndingAfter(offset: LogOffset): ClosedLogChunk | undefined {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareOffsets(this.chunks[mid]!.end, offset) > 0) high = mid;
      else low = mid + 1;
    }
    return this.chunks[low];
  }
}

/** Closed chunks of the snapshot; chunk k ends at virtual offset `0_k`. */
export class SnapshotChunkIndex {
  private readonly chunkEnds: number[] = [];

  constructor(private readonly dataStart: number) {}

  get count(): number {
    return this.chunkEnds.length;
  }

  get ends(): readonly number[] {
    return this.chunkEnds;
  }

  get openChunkStart(): number {
    return this.chunkEnds[this.chunkEnds.length - 1] ?? this.dataStart;
  }

  /** Closes the open chunk at `endByte` (equal to its start only for an empty snapshot's single chunk). */
  add(endByte: number): void {
    if (endByte < this.openChunkStart || (endByte === this.openChunkStart && this.count > 0)) {
      throw new RangeError(`snapshot chunk ending at byte ${endByte} does not follow byte ${this.openChunkStart}`);
    }
    this.chunkEnds.push(endByte);
  }

  range(k: number): ByteRange | undefined {
    const end = this.chunkEnds[k];
    if (end === undefined) return undefined;
    return { start: k === 0 ? this.dataStart : this.chunkEnds[k - 1]!, end };
  }
}
