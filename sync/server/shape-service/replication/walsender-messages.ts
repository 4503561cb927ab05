/**
 * The CopyBoth sub-protocol of a streaming replication connection: what the walsender sends
 * (XLogData, primary keepalive) and the standby status update we send back
 * (https://www.postgresql.org/docs/current/protocol-replication.html).
 */
import { ByteReader } from './byte-reader.js';
import { PgoutputProtocolError } from './errors.js';

export type WalSenderMessage =
  | { readonly kind: 'xlog-data'; readonly walStart: bigint; readonly walEnd: bigint; readonly payload: Buffer }
  | { readonly kind: 'keepalive'; readonly walEnd: bigint; readonly replyRequested: boolean };

// Postgres timestamps count microseconds from 2000-01-01T00:00:00Z.
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

export function parseWalSenderMessage(chunk: Buffer): WalSenderMessage {
  const reader = new ByteReader(chunk);
  const kind = String.fromCharCode(reader.uint8());
  if (kind === 'w') {
    const walStart = reader.uint64();
    const walEnd = reader.uint64();
    reader.int64(); // send time
    return { kind: 'xlog-data', walStart, walEnd, payload: chunk.subarray(25) };
  }
  if (kind === 'k') {
    const walEnd = reader.uint64();
    reader.int64(); // send time
    return { kind: 'keepalive', walEnd, replyRequested: reader.uint8() === 1 };
  }
  throw new PgoutputProtocolError(`Unknown replication CopyData message "${kind}".`);
}

/**
 * A standby status update reporting `position` as written, flushed and applied. The position is
 * exclusive: Postgres treats WAL before it as consumed and will not resend transactions committed
 * before it.
 */
export function encodeStandbyStatusUpdate(position: bigint, replyRequested: boolean, now = Date.now()): Buffer {
  const message = Buffer.alloc(34);
  message.write('r', 0, 'latin1');
  message.writeBigUInt64BE(position, 1);
  message.writeBigUInt64BE(position, 9);
  message.writeBigUInt64BE(position, 17);
  message.writeBigInt64BE(BigInt(now - POSTGRES_EPOCH_MS) * 1000n, 25);
  message.writeUInt8(replyRequested ? 1 : 0, 33);
  return message;
}
