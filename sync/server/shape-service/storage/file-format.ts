/**
 * The on-disk format of a shape log directory (version 1). Everything is ASCII text apart from the
 * messages themselves (UTF-8 JSON, one line each), so a log can be inspected with `head`/`tail`.
 *
 *   snapshot.data    header line, then one `<json>\n` per snapshot message
 *   snapshot.index   written once, atomically (tmp + rename), when the snapshot is finished:
 *                      header line, `meta <json>`, one `chunk <endByte>` per chunk, `end <chunks> <dataBytes>`
 *   log.data         header line, then one `<tx> <op>\t<json>\n` per main-log entry
 *   log.index        header line; a fixed-size head record, overwritten after every transaction
 *                    (committed length, latest offset, open chunk), with a CRC so a torn write is
 *                    detected; then one appended `chunk <endByte> <lastRecordStart> <tx> <op>` per closed chunk
 *
 * Byte positions are absolute file positions. Chunk byte ranges are [previous chunk's end (or the
 * data header's length), endByte).
 */
import { crc32 } from 'node:zlib';
import type { LogOffset } from '../types.js';
import { UntrustedLogError } from './errors.js';

export const FILES = {
  snapshotData: 'snapshot.data',
  snapshotIndex: 'snapshot.index',
  logData: 'log.data',
  logIndex: 'log.index',
} as const;

export const HEADERS = {
  snapshotData: 'fieldline-shape-snapshot v1\n',
  snapshotIndex: 'fieldline-shape-snapshot-index v1\n',
  logData: 'fieldline-shape-log v1\n',
  logIndex: 'fieldline-shape-log-index v1\n',
} as const;

/** Header lines are ASCII, so their string length is their byte length. */
export const headerBytes = (header: string): number => header.length;

const NEWLINE = 0x0a;
const TAB = 0x09;

// ---------------------------------------------------------------------------------------------
// Main-log records

/** The bytes before a record's JSON: `<tx> <op>\t`. */
export const recordPrefix = (o: LogOffset): string => `${o.tx} ${o.op}\t`;

/** The longest prefix a valid record can have: 20-digit tx, 16-digit op, space and tab. */
export const MAX_RECORD_PREFIX_BYTES = 38;

/** The offset at the start of a record line (without its newline), or undefined when it is malformed. */
export function parseRecordOffset(line: Buffer): LogOffset | undefined {
  const tab = line.indexOf(TAB);
  if (tab < 0 || tab > MAX_RECORD_PREFIX_BYTES) return undefined;
  return parseOffsetFields(line.toString('latin1', 0, tab).split(' '));
}

/** The JSON of a record line (without its newline), or undefined when the line has no offset prefix. */
export function recordJson(line: Buffer): string | undefined {
  const tab = line.indexOf(TAB);
  return tab > 0 && tab <= MAX_RECORD_PREFIX_BYTES ? line.toString('utf8', tab + 1) : undefined;
}

const DIGITS = /^(0|[1-9][0-9]*)$/;

function parseOffsetFields(fields: string[]): LogOffset | undefined {
  const [tx, op] = fields;
  if (fields.length !== 2 || tx === undefined || op === undefined || !DIGITS.test(tx)) return undefined;
  if (op === 'inf') return { tx: BigInt(tx), op };
  if (!DIGITS.test(op) || !Number.isSafeInteger(Number(op))) return undefined;
  return { tx: BigInt(tx), op: Number(op) };
}

function parseByteCount(field: string | undefined): number | undefined {
  if (field === undefined || !DIGITS.test(field)) return undefined;
  const n = Number(field);
  return Number.isSafeInteger(n) ? n : undefined;
}

// ---------------------------------------------------------------------------------------------
// log.index head record

/** Where the main log stands after the last durable transaction. */
export type LogHead = {
  /** Bytes of log.data that hold whole, fsynced transactions; anything beyond is an unacknowledged tail. */
  readonly committedBytes: number;
  /** Start of the last record, or -1 when the log has no entries. */
  readonly lastRecordStart: number;
  /** Offset of the last entry, or `0_inf` when there are none. */
  readonly latest: LogOffset;
  /** Where the chunk that has not closed yet starts. */
  readonly openChunkStart: number;
  /** Sum of the JSON byte lengths in the open chunk: what the chunk threshold is compared with. */
  readonly openChunkMessageBytes: number;
};

/** Fixed size, so it can be overwritten in place; well inside the first 512-byte sector. */
export const HEAD_RECORD_BYTES = 128;
export const HEAD_POSITION = headerBytes(HEADERS.logIndex);
export const FIRST_CHUNK_LINE_POSITION = HEAD_POSITION + HEAD_RECORD_BYTES;

const CRC_FIELD_BYTES = 9; // ' ' + 8 hex digits
const HEAD_BODY_BYTES = HEAD_RECORD_BYTES - CRC_FIELD_BYTES - 1;

export function encodeHead(head: LogHead): Buffer {
  const fields = [
    'head',
    head.committedBytes,
    head.lastRecordStart < 0 ? '-' : head.lastRecordStart,
    head.latest.tx,
    head.latest.op,
    head.openChunkStart,
    head.openChunkMessageBytes,
  ];
  const body = fields.join(' ').padEnd(HEAD_BODY_BYTES, ' ');
  if (body.length !== HEAD_BODY_BYTES) throw new Error(`head record overflows ${HEAD_RECORD_BYTES} bytes: ${body}`);
  const crc = crc32(body).toString(16).padStart(8, '0');
  return Buffer.from(`${body} ${crc}\n`, 'latin1');
}

export function decodeHead(record: Buffer): LogHead {
  const text = record.toString('latin1');
  const body = text.slice(0, HEAD_BODY_BYTES);
  const crc = text.slice(HEAD_BODY_BYTES + 1, HEAD_RECORD_BYTES - 1);
  if (text.length !== HEAD_RECORD_BYTES || !text.endsWith('\n') || crc32(body).toString(16).padStart(8, '0') !== crc) {
    throw new UntrustedLogError('corrupt', `${FILES.logIndex}: the head record is torn or damaged (CRC mismatch)`);
  }
  const [tag, committed, lastStart, tx, op, openStart, openBytes, ...rest] = body.trimEnd().split(' ');
  const latest = parseOffsetFields([tx ?? '', op ?? '']);
  const committedBytes = parseByteCount(committed);
  const lastRecordStart = lastStart === '-' ? -1 : parseByteCount(lastStart);
  const openChunkStart = parseByteCount(openStart);
  const openChunkMessageBytes = parseByteCount(openBytes);
  if (
    tag !== 'head' ||
    rest.length > 0 ||
    latest === undefined ||
    committedBytes === undefined ||
    lastRecordStart === undefined ||
    openChunkStart === undefined ||
    openChunkMessageBytes === undefined
  ) {
    throw new UntrustedLogError('corrupt', `${FILES.logIndex}: the head record does not parse: ${body.trimEnd()}`);
  }
  return { committedBytes, lastRecordStart, latest, openChunkStart, openChunkMessageBytes };
}

// ---------------------------------------------------------------------------------------------
// log.index chunk lines

export type ChunkLine = { readonly endByte: number; readonly lastRecordStart: number; readonly end: LogOffset };

export const encodeChunkLine = (c: ChunkLine): Buffer =>
  Buffer.from(`chunk ${c.endByte} ${c.lastRecordStart} ${c.end.tx} ${c.end.op}\n`, 'latin1');

export function decodeChunkLine(line: string, lineNumber: number): ChunkLine {
  const [tag, endByte, lastStart, ...offsetFields] = line.split(' ');
  const end = parseOffsetFields(offsetFields);
  const endBytes = parseByteCount(endByte);
  const lastRecordStart = parseByteCount(lastStart);
  if (tag !== 'chunk' || end === undefined || endBytes === undefined || lastRecordStart === undefined) {
    throw new UntrustedLogError('corrupt', `${FILES.logIndex} line ${lineNumber} is not a chunk line: ${line}`);
  }
  return { endByte: endBytes, lastRecordStart, end };
}

// ---------------------------------------------------------------------------------------------
// snapshot.index

export type SnapshotIndexContent = {
  readonly meta: Record<string, unknown>;
  /** End byte of each chunk, in chunk order. */
  readonly chunkEnds: readonly number[];
  readonly dataBytes: number;
};

/** The snapshot index as lines (each ending in \n), produced lazily so a long chunk list is never one string. */
export function* snapshotIndexLines(content: SnapshotIndexContent): Generator<string> {
  yield HEADERS.snapshotIndex;
  yield `meta ${JSON.stringify(content.meta)}\n`;
  for (const end of content.chunkEnds) yield `chunk ${end}\n`;
  yield `end ${content.chunkEnds.length} ${content.dataBytes}\n`;
}

export function parseSnapshotIndex(text: string): SnapshotIndexContent {
  const name = FILES.snapshotIndex;
  if (!text.startsWith(HEADERS.snapshotIndex)) {
    throw text.startsWith('fieldline-shape-snapshot-index ')
      ? new UntrustedLogError('unsupported_version', `${name} has an unsupported version: ${text.split('\n')[0]}`)
      : new UntrustedLogError('corrupt', `${name} does not start with its header`);
  }
  if (!text.endsWith('\n')) throw new UntrustedLogError('truncated', `${name} ends mid-line`);
  const lines = text.slice(HEADERS.snapshotIndex.length, -1).split('\n');
  const metaLine = lines[0] ?? '';
  const trailer = lines[lines.length - 1] ?? '';
  let meta: unknown;
  try {
    meta = metaLine.startsWith('meta ') ? JSON.parse(metaLine.slice('meta '.length)) : undefined;
  } catch {
    meta = undefined;
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new UntrustedLogError('corrupt', `${name}: the meta line does not parse`);
  }
  const [endTag, countField, bytesField, ...rest] = trailer.split(' ');
  const chunkCount = parseByteCount(countField);
  const dataBytes = parseByteCount(bytesField);
  if (lines.length < 2 || endTag !== 'end' || rest.length || chunkCount === undefined || dataBytes === undefined) {
    throw new UntrustedLogError('truncated', `${name} lacks its end line: the index is incomplete`);
  }
  const chunkEnds = lines.slice(1, -1).map((line, i) => {
    const end = line.startsWith('chunk ') ? parseByteCount(line.slice('chunk '.length)) : undefined;
    if (end === undefined) throw new UntrustedLogError('corrupt', `${name} line ${i + 3} is not a chunk line: ${line}`);
    return end;
  });
  if (chunkEnds.length !== chunkCount) {
    throw new UntrustedLogError(
      'corrupt',
      `${name} lists ${chunkEnds.length} chunks but its end line says ${chunkCount}`,
    );
  }
  return { meta: meta as Record<string, unknown>, chunkEnds, dataBytes };
}

/** Checks that `bytes` is the expected header; tells a newer version apart from garbage. */
export function checkHeader(bytes: Buffer, header: string, file: string): void {
  const text = bytes.toString('latin1');
  if (text === header) return;
  const kind = header.slice(0, header.lastIndexOf(' ') + 1);
  throw text.startsWith(kind)
    ? new UntrustedLogError('unsupported_version', `${file} has an unsupported version: ${text.split('\n')[0]}`)
    : new UntrustedLogError('corrupt', `${file} does not start with its header`);
}

export const isNewline = (byte: number | undefined): boolean => byte === NEWLINE;
