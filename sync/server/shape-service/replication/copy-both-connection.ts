/**
 * Access to the CopyBoth phase of a `pg` replication connection. `pg` has no public API for it:
 * it routes CopyData to the active query (a no-op there) and exposes the connection object, whose
 * events and send methods pg-logical-replication relies on as well. Checked at runtime, so a `pg`
 * upgrade that changes them fails loudly instead of streaming nothing.
 */
import type pg from 'pg';
import { ReplicationConnectionError } from './errors.js';

export type CopyBothConnection = {
  /** The socket; pausing it stops reading (and, through TCP flow control, the walsender). */
  readonly stream: { pause(): void; resume(): void };
  on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): unknown;
  on(event: 'replicationStart', listener: () => void): unknown;
  removeAllListeners(event: 'copyData' | 'replicationStart'): unknown;
  sendCopyFromChunk(chunk: Buffer): void;
  /** Sends CopyDone: asks the walsender to end streaming. */
  endCopyFrom(): void;
};

export function copyBothConnection(client: pg.Client): CopyBothConnection {
  const connection: unknown = client.connection;
  const has = (name: string) =>
    typeof connection === 'object' &&
    connection !== null &&
    typeof (connection as Record<string, unknown>)[name] === 'function';
  const stream = typeof connection === 'object' && connection !== null && 'stream' in connection && connection.stream;
  const streamOk = typeof stream === 'object' && stream !== null && 'pause' in stream && 'resume' in stream;
  if (!['on', 'removeAllListeners', 'sendCopyFromChunk', 'endCopyFrom'].every(has) || !streamOk) {
    throw new ReplicationConnectionError(
      'The installed pg version does not expose the connection internals replication needs ' +
        '(connection.on, sendCopyFromChunk, endCopyFrom, stream); pin pg to a version known to work (8.23.1).',
    );
  }
  return connection as CopyBothConnection;
}
