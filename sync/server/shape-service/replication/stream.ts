/**
 * ReplicationStream reads one logical slot with pgoutput (protocol version 1) over a `pg`
 * replication connection and hands the consumer whole committed transactions.
 *
 * Guarantees:
 * - onTransaction runs once per committed transaction that touched a published table, in commit
 *   order, with all of its changes in order. The next call waits until the previous promise
 *   settles; meanwhile the socket is not read, so Postgres, not memory, holds the backlog.
 * - Values are Postgres text output under Electric's display settings (DISPLAY_SETTINGS).
 * - Update rows are complete: unchanged TOAST values are copied from the old row.
 * - No loss: the slot only advances past a transaction when acknowledge() is called for it (or for
 *   a later one), so a new stream on the slot resumes with the first unacknowledged transaction.
 *   Once everything delivered is acknowledged, keepalives also move it past WAL that held nothing
 *   for the publication, so writes to other tables do not pile up in the slot.
 * - Duplicates are possible: a transaction delivered but not acknowledged before the stream ended
 *   is delivered again, and one acknowledged shortly before a Postgres crash may be too (the slot's
 *   position is made durable at checkpoints). Consumers skip transactions whose lsn is not above
 *   the last one they stored.
 * - Failures end start()'s promise with a ReplicationError instead of hanging; a server that stops
 *   answering pings is a ReplicationTimeoutError. Reconnecting is the caller's job.
 *
 * Built on `pg` directly rather than pg-logical-replication 2.5.0: its pgoutput parser turns text
 * values into JS values with pg's type parsers and reads xids as signed, and its service
 * acknowledges received (not stored) positions and keeps delivering after a handler fails.
 */
import pg from 'pg';
import type { ReplicatedTransaction } from '../types.js';
import { copyBothConnection, type CopyBothConnection } from './copy-both-connection.js';
import {
  PgoutputProtocolError,
  PublicationMissingError,
  ReplicationConnectionError,
  ReplicationError,
  ReplicationTimeoutError,
  ReplicationUsageError,
  SlotInUseError,
  SlotMissingError,
  TransactionHandlerError,
} from './errors.js';
import { DISPLAY_SETTINGS } from '../display-settings.js';
import { lsnToBigInt } from './lsn.js';
import { assertValidSlotName, quoteIdent, quoteLiteral } from './names.js';
import { SQLSTATE, sqlState } from './pg-errors.js';
import { decodePgoutputMessage } from './pgoutput.js';
import { RelationRegistry, type RelationSchema } from './relations.js';
import { TransactionAssembler } from './transaction-assembler.js';
import { encodeStandbyStatusUpdate, parseWalSenderMessage, type WalSenderMessage } from './walsender-messages.js';

export type TransactionHandler = (transaction: ReplicatedTransaction) => Promise<void>;

export type ReplicationStreamOptions = {
  /** A role with the REPLICATION attribute; `replication=database` is added. */
  readonly connection: string | pg.ClientConfig;
  readonly publication: string;
  readonly slot: string;
  /** Relations from a previous stream on this slot, so schema changes made while disconnected are reported. */
  readonly knownRelations?: Iterable<RelationSchema>;
  /** Called once Postgres has switched the connection to streaming. */
  readonly onStreaming?: () => void;
  /** How often to report the acknowledged position and ping Postgres. Default 10 s. */
  readonly statusIntervalMs?: number;
  /** Fail when Postgres has sent nothing this long while we were reading. Default 60 s. */
  readonly serverTimeoutMs?: number;
  /** How long start() retries while the slot is still held by a previous connection. Default 10 s. */
  readonly slotBusyTimeoutMs?: number;
};

type Phase = 'new' | 'starting' | 'streaming' | 'stopping' | 'ended';

const STOP_GRACE_MS = 5_000;
const SLOT_BUSY_RETRY_MS = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class ReplicationStream {
  private phase: Phase = 'new';
  private client: pg.Client | undefined;
  private connection: CopyBothConnection | undefined;
  private onTransaction: TransactionHandler | undefined;
  private readonly relations: RelationRegistry;
  private readonly assembler: TransactionAssembler;

  /** Exclusive WAL position reported as flushed: transactions committed before it are done. */
  private flushPosition = 0n;
  private lastDeliveredLsn: bigint | undefined;
  private readonly pending: ReplicatedTransaction[] = [];
  private delivering = false;
  private lastHeardAt = 0;
  private streamingBegan = false;
  private statusTimer: NodeJS.Timeout | undefined;
  /** Settles when the START_REPLICATION command ends (after CopyDone, an error, or a lost connection). */
  private replicationCommand: Promise<void> = Promise.resolve();
  private teardown: Promise<void> | undefined;
  private settle: { resolve(): void; reject(error: ReplicationError): void } | undefined;

  constructor(private readonly options: ReplicationStreamOptions) {
    assertValidSlotName(options.slot);
    this.relations = new RelationRegistry(options.knownRelations);
    this.assembler = new TransactionAssembler(this.relations);
  }

  /**
   * Connects and streams until stop() (then resolves) or a failure (then rejects with a
   * ReplicationError). A stream runs once; reconnect with a new ReplicationStream.
   */
  start(onTransaction: TransactionHandler): Promise<void> {
    if (this.phase !== 'new') {
      return Promise.reject(
        new ReplicationUsageError('start() may only be called once; create a new ReplicationStream to reconnect.'),
      );
    }
    this.phase = 'starting';
    this.onTransaction = onTransaction;
    const ended = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.open().catch((error: unknown) => this.fail(error));
    return ended;
  }

  /**
   * Reports that the transaction committed at `lsn` and every one before it are stored: Postgres
   * may recycle their WAL and will not send them again. Ignored once the stream has ended.
   */
  acknowledge(lsn: bigint): void {
    if (this.lastDeliveredLsn === undefined || lsn > this.lastDeliveredLsn) {
      throw new ReplicationUsageError(
        `Cannot acknowledge LSN ${lsn}: it is beyond the last delivered transaction ` +
          `(${this.lastDeliveredLsn ?? 'none'}), and acknowledging it would skip data.`,
      );
    }
    // Postgres skips transactions whose commit LSN is below the confirmed position.
    if (lsn + 1n <= this.flushPosition) return;
    this.flushPosition = lsn + 1n;
    this.sendStatus(false);
  }

  /**
   * Ends streaming: reports the acknowledged position, asks Postgres to end the stream and closes
   * the connection. A transaction being handled is not waited for; if it is acknowledged after
   * this, the acknowledgement is lost and the transaction is delivered again to the next stream.
   */
  async stop(): Promise<void> {
    if (this.phase === 'new') {
      this.phase = 'ended';
      return;
    }
    if (this.phase === 'starting' || this.phase === 'streaming') {
      this.phase = 'stopping';
      this.teardown = this.close(true).then(() => {
        this.phase = 'ended';
        this.settle?.resolve();
      });
    }
    await this.teardown;
  }

  /** The relations seen so far, to seed the next stream's `knownRelations` after a reconnect. */
  knownRelations(): RelationSchema[] {
    return this.relations.all();
  }

  private async open(): Promise<void> {
    const config =
      typeof this.options.connection === 'string'
        ? { connectionString: this.options.connection }
        : this.options.connection;
    const replicationConfig: pg.ClientConfig & { replication: 'database' } = {
      application_name: 'fieldline shape-service replication',
      ...config,
      replication: 'database',
    };
    const client = new pg.Client(replicationConfig);
    this.client = client;
    client.on('error', (error) =>
      this.fail(new ReplicationConnectionError(`Replication connection failed: ${error.message}`, { cause: error })),
    );
    client.on('end', () =>
      this.fail(new ReplicationConnectionError('The replication connection closed unexpectedly.')),
    );
    await client.connect();
    if (this.phase !== 'starting') return;

    // A replication connection only speaks the simple query protocol: no parameters.
    for (const [name, value] of Object.entries(DISPLAY_SETTINGS)) {
      await client.query(`set ${name} = ${quoteLiteral(value)}`);
    }
    await this.checkPublicationAndSlot(client);
    if (this.phase !== 'starting') return;

    const connection = copyBothConnection(client);
    this.connection = connection;
    connection.on('copyData', ({ chunk }) => this.receive(chunk));
    connection.on('replicationStart', () => this.streamingStarted());
    this.issueStartReplication(Date.now() + (this.options.slotBusyTimeoutMs ?? 10_000));
  }

  /** Fails early with an actionable error, and starts reporting from the slot's confirmed position. */
  private async checkPublicationAndSlot(client: pg.Client): Promise<void> {
    const { publication, slot } = this.options;
    const publications = await client.query(
      `select 1 from pg_publication where pubname = ${quoteLiteral(publication)}`,
    );
    if (!publications.rowCount) throw new PublicationMissingError(publication);
    const slots = await client.query<{ confirmed: string | null }>(
      `select confirmed_flush_lsn::text as confirmed from pg_replication_slots
        where slot_name = ${quoteLiteral(slot)} and database = current_database()`,
    );
    const row = slots.rows[0];
    if (!row) throw new SlotMissingError(slot);
    // Never report less than the slot already has: that would move its position backwards.
    if (row.confirmed) this.flushPosition = lsnToBigInt(row.confirmed);
  }

  private issueStartReplication(slotBusyDeadline: number): void {
    const { publication, slot } = this.options;
    // Start at 0/0: Postgres resumes from the slot's confirmed position.
    const sql =
      `START_REPLICATION SLOT ${quoteIdent(slot)} LOGICAL 0/0 ` +
      `(proto_version '1', publication_names ${quoteLiteral(quoteIdent(publication))})`;
    this.replicationCommand = this.client!.query(sql).then(
      () => this.fail(new ReplicationConnectionError('Postgres ended the replication stream.')),
      (error: unknown) => {
        // The walsender of a just-closed connection may not have released the slot yet.
        if (this.phase === 'starting' && sqlState(error) === SQLSTATE.objectInUse && Date.now() < slotBusyDeadline) {
          return sleep(SLOT_BUSY_RETRY_MS).then(() => {
            if (this.phase === 'starting') this.issueStartReplication(slotBusyDeadline);
          });
        }
        this.fail(this.serverError(error));
      },
    );
  }

  private streamingStarted(): void {
    if (this.phase !== 'starting') return;
    this.phase = 'streaming';
    this.streamingBegan = true;
    this.lastHeardAt = Date.now();
    const interval = this.options.statusIntervalMs ?? 10_000;
    this.statusTimer = setInterval(() => this.checkLiveness(), interval).unref();
    try {
      this.options.onStreaming?.();
    } catch (error) {
      // Thrown inside pg's socket callback it would crash the process; end the stream instead.
      this.fail(new ReplicationUsageError('The onStreaming callback threw.', { cause: error }));
    }
  }

  private receive(chunk: Buffer): void {
    if (this.phase !== 'streaming') return;
    this.lastHeardAt = Date.now();
    try {
      const message = parseWalSenderMessage(chunk);
      if (message.kind === 'keepalive') return this.keepalive(message);
      const transaction = this.assembler.accept(decodePgoutputMessage(message.payload));
      if (transaction) this.enqueue(transaction);
    } catch (error) {
      this.fail(error);
    }
  }

  private keepalive(message: Extract<WalSenderMessage, { kind: 'keepalive' }>): void {
    // Everything before the server's send position that concerned us has been delivered; if it is
    // also acknowledged, the slot may move past WAL of unrelated tables so it is not retained.
    if (this.isCaughtUp() && message.walEnd > this.flushPosition) this.flushPosition = message.walEnd;
    if (message.replyRequested) this.sendStatus(false);
  }

  private isCaughtUp(): boolean {
    const acknowledged = this.lastDeliveredLsn === undefined || this.flushPosition > this.lastDeliveredLsn;
    return acknowledged && !this.assembler.inTransaction && !this.delivering && this.pending.length === 0;
  }

  private enqueue(transaction: ReplicatedTransaction): void {
    this.pending.push(transaction);
    this.connection!.stream.pause();
    if (!this.delivering) void this.deliverPending();
  }

  private async deliverPending(): Promise<void> {
    this.delivering = true;
    for (let next = this.pending.shift(); next && this.phase === 'streaming'; next = this.pending.shift()) {
      this.lastDeliveredLsn = next.lsn;
      try {
        await this.onTransaction!(next);
      } catch (cause) {
        this.fail(new TransactionHandlerError(next.lsn, next.xid, cause));
      }
    }
    this.delivering = false;
    if (this.phase === 'streaming') {
      // Time spent in the handler was not the server's silence.
      this.lastHeardAt = Date.now();
      this.connection!.stream.resume();
    }
  }

  private checkLiveness(): void {
    if (this.phase !== 'streaming') return;
    const silentFor = Date.now() - this.lastHeardAt;
    const timeout = this.options.serverTimeoutMs ?? 60_000;
    if (!this.delivering && silentFor > timeout) return this.fail(new ReplicationTimeoutError(silentFor));
    // Also keeps the walsender from timing us out while a slow handler holds the socket paused.
    this.sendStatus(true);
  }

  private sendStatus(replyRequested: boolean): void {
    if (this.phase !== 'streaming' && this.phase !== 'stopping') return;
    if (!this.connection || this.flushPosition === 0n) return;
    try {
      this.connection.sendCopyFromChunk(encodeStandbyStatusUpdate(this.flushPosition, replyRequested));
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.phase !== 'starting' && this.phase !== 'streaming') return;
    this.phase = 'stopping';
    const failure = asReplicationError(error);
    // Only a consumer failure leaves the connection healthy enough to be worth a polite goodbye.
    this.teardown = this.close(failure instanceof TransactionHandlerError).then(() => {
      this.phase = 'ended';
      this.settle?.reject(failure);
    });
  }

  /**
   * Closes the connection. Politely, CopyDone first lets the walsender release the slot before we
   * return, so a new stream can take it over at once; otherwise the socket is closed right away
   * (pg destroys it when a command is still running).
   */
  private async close(polite: boolean): Promise<void> {
    clearInterval(this.statusTimer);
    const { client, connection } = this;
    if (!client) return;
    if (polite && connection && this.streamingBegan) {
      try {
        this.sendStatus(false);
        connection.endCopyFrom();
        // The server's CopyDone and CommandComplete must be read for the command to finish.
        connection.stream.resume();
        await Promise.race([this.replicationCommand, sleep(STOP_GRACE_MS)]);
      } catch {
        // The connection is already broken; ending it below is all that is left to do.
      }
    }
    connection?.removeAllListeners('copyData');
    client.removeAllListeners('end');
    await Promise.race([client.end().catch(() => undefined), sleep(STOP_GRACE_MS)]);
  }

  private serverError(error: unknown): ReplicationError {
    const message = error instanceof Error ? error.message : String(error);
    const state = sqlState(error);
    if (state === SQLSTATE.objectInUse) return new SlotInUseError(this.options.slot, { cause: error });
    if (state === SQLSTATE.undefinedObject && /publication/i.test(message)) {
      return new PublicationMissingError(this.options.publication, { cause: error });
    }
    if (state === SQLSTATE.undefinedObject && /replication slot/i.test(message))
      return new SlotMissingError(this.options.slot);
    return new ReplicationConnectionError(`Postgres ended replication with an error: ${message}`, { cause: error });
  }
}

function asReplicationError(error: unknown): ReplicationError {
  if (error instanceof ReplicationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // Anything else escaped from decoding or the connection: treat it as a broken stream.
  return sqlState(error) || /connect|terminat|socket/i.test(message)
    ? new ReplicationConnectionError(`Replication connection failed: ${message}`, { cause: error })
    : new PgoutputProtocolError(`Unexpected failure while processing the replication stream: ${message}`, {
        cause: error,
      });
}
