/** Small file helpers: positional writes that finish, directory fsync, and line reads over byte ranges. */
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** Reads into `buffer` at a file position; resolves to the bytes read (0 at end of file). */
export type ReadAt = (buffer: Buffer, position: number) => Promise<number>;

/** Read size for scans: big enough to amortise syscalls, small enough to keep memory flat. */
export const READ_BLOCK_BYTES = 64 * 1024;

/** `write` may write less than asked (e.g. near a full disk); loop so a record is never silently cut. */
export async function writeFully(file: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < buffer.length) {
    const { bytesWritten } = await file.write(buffer, written, buffer.length - written, position + written);
    if (bytesWritten === 0) throw new Error(`write made no progress at byte ${position + written}`);
    written += bytesWritten;
  }
}

/** Up to `length` bytes at `position`; shorter only at end of file. */
export async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** Makes a file creation, rename or removal inside `dir` durable (Linux and macOS; a no-op where unsupported). */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Windows cannot open or fsync a directory; its metadata journaling covers the same ground.
    if (!isErrno(error, 'EISDIR', 'EPERM', 'EINVAL', 'EACCES')) throw error;
  } finally {
    await handle?.close();
  }
}

/** Opens a file, or returns undefined when it does not exist. */
export async function openIfExists(path: string, flags: string): Promise<FileHandle | undefined> {
  try {
    return await fs.open(path, flags);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

export function isErrno(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && 'code' in error && codes.includes(String(error.code));
}

/**
 * The newline-terminated lines in [start, end), without their newlines, read block by block.
 * Yielded buffers may share memory with the next read: copy or decode them before the next step.
 * The range must end at a line boundary; a short file means it changed underneath us.
 */
export async function* readLines(read: ReadAt, start: number, end: number): AsyncGenerator<Buffer> {
  // Pieces of a line that spans blocks, concatenated once when its newline arrives (not per block).
  let pending: Buffer[] = [];
  let position = start;
  while (position < end) {
    const block = Buffer.allocUnsafe(Math.min(READ_BLOCK_BYTES, end - position));
    const bytesRead = await read(block, position);
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position} (expected data up to ${end})`);
    position += bytesRead;
    const data = block.subarray(0, bytesRead);
    let lineStart = 0;
    for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a, lineStart)) {
      const piece = data.subarray(lineStart, newline);
      if (pending.length > 0) {
        pending.push(piece);
        const line = Buffer.concat(pending);
        pending = [];
        yield line;
      } else {
        yield piece;
      }
      lineStart = newline + 1;
    }
    if (lineStart < data.length) pending.push(data.subarray(lineStart));
  }
  if (pending.length > 0) throw new Error(`byte range ${start}..${end} does not end at a record boundary`);
}
