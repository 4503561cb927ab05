/** Sequential big-endian reads over one protocol message, failing loudly on truncation. */
import { PgoutputProtocolError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  uint8(): number {
    this.need(1);
    return this.buffer.readUInt8(this.offset++);
  }

  int16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint64(): bigint {
    this.need(8);
    const value = this.buffer.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  int64(): bigint {
    this.need(8);
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.buffer.indexOf(0, this.offset);
    if (end < 0) throw new PgoutputProtocolError('Unterminated string in a replication message.');
    const text = this.decode(this.buffer.subarray(this.offset, end));
    this.offset = end + 1;
    return text;
  }

  /** `length` bytes as UTF-8 text (the connection's client_encoding is UTF8). */
  text(length: number): string {
    return this.decode(this.bytes(length));
  }

  bytes(length: number): Buffer {
    this.need(length);
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  private decode(bytes: Buffer): string {
    try {
      return utf8.decode(bytes);
    } catch (cause) {
      throw new PgoutputProtocolError('A replication message holds text that is not valid UTF-8.', { cause });
    }
  }

  private need(length: number): void {
    if (length < 0 || this.offset + length > this.buffer.length) {
      throw new PgoutputProtocolError(
        `Replication message truncated: needed ${length} bytes at offset ${this.offset} of ${this.buffer.length}.`,
      );
    }
  }
}
