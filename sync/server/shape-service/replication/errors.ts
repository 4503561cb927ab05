/**
 * Typed failures of the replication layer. Messages say what to do about them; `code` is stable
 * for logs and metrics. Errors that end a stream tell the caller whether reconnecting can help.
 */
import type { RelationRef } from '../types.js';

const describeTable = (schema: string, table: string) => `"${schema}"."${table}"`;

/** Base class: everything the replication layer throws or rejects with. */
export abstract class ReplicationError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidLsnError extends ReplicationError {
  readonly code = 'invalid_lsn';
  constructor(value: string) {
    super(`"${value}" is not an LSN: expected two hex halves like "0/16B3F70", each at most 32 bits.`);
  }
}

export class InvalidReplicationNameError extends ReplicationError {
  readonly code = 'invalid_replication_name';
}

export class TableNotFoundError extends ReplicationError {
  readonly code = 'table_not_found';
  constructor(
    readonly schema: string,
    readonly table: string,
  ) {
    super(`Table ${describeTable(schema, table)} does not exist; it cannot be added to the publication.`);
  }
}

/** Postgres or the publication is set up in a way replication cannot work with. */
export class DatabaseConfigError extends ReplicationError {
  readonly code = 'database_misconfigured';
}

/** The database refused a change to the publication, a table or a slot for lack of privileges. */
export class ReplicationPrivilegeError extends ReplicationError {
  readonly code = 'insufficient_privilege';
}

/** A slot with this name exists but cannot be used by this stream (other database or plugin). */
export class SlotConflictError extends ReplicationError {
  readonly code = 'slot_conflict';
}

export class SlotMissingError extends ReplicationError {
  readonly code = 'slot_missing';
  constructor(readonly slot: string) {
    super(`Replication slot "${slot}" does not exist. Create it with PublicationManager.ensureSlot() first.`);
  }
}

export class SlotInUseError extends ReplicationError {
  readonly code = 'slot_in_use';
  constructor(
    readonly slot: string,
    options?: ErrorOptions,
  ) {
    super(
      `Replication slot "${slot}" is in use by another connection. Stop the other stream (or another ` +
        `service using the same replication stream id) and retry.`,
      options,
    );
  }
}

export class PublicationMissingError extends ReplicationError {
  readonly code = 'publication_missing';
  constructor(
    readonly publication: string,
    options?: ErrorOptions,
  ) {
    super(
      `Publication "${publication}" does not exist. Create it with PublicationManager.addTables() before streaming.`,
      options,
    );
  }
}

/**
 * An update or delete arrived without the full old row. Fatal for the slot: the WAL already written
 * for that change will never carry the old row, so the slot must be dropped and recreated.
 */
export class ReplicaIdentityNotFullError extends ReplicationError {
  readonly code = 'replica_identity_not_full';
  constructor(readonly relation: RelationRef) {
    const table = describeTable(relation.schema, relation.table);
    super(
      `Received a change to ${table} without its full old row: the table's replica identity is not FULL. ` +
        `Run ALTER TABLE ${table} REPLICA IDENTITY FULL (PublicationManager.addTables does this), then drop ` +
        `and recreate the replication slot, since changes already in the WAL cannot be repaired.`,
    );
  }
}

/** The byte stream did not follow pgoutput protocol version 1. Reconnecting will not help. */
export class PgoutputProtocolError extends ReplicationError {
  readonly code = 'pgoutput_protocol';
}

/** The replication connection failed, closed, or Postgres ended streaming. Reconnecting may help. */
export class ReplicationConnectionError extends ReplicationError {
  readonly code = 'replication_connection';
}

/** Postgres sent nothing for longer than the configured server timeout. Reconnecting may help. */
export class ReplicationTimeoutError extends ReplicationError {
  readonly code = 'replication_timeout';
  constructor(readonly silentForMs: number) {
    super(
      `No message from Postgres for ${silentForMs} ms although replies were requested; the replication ` +
        `connection is presumed dead. Reconnect with a new ReplicationStream.`,
    );
  }
}

/** The onTransaction callback rejected; the stream stopped without acknowledging that transaction. */
export class TransactionHandlerError extends ReplicationError {
  readonly code = 'transaction_handler_failed';
  constructor(
    readonly lsn: bigint,
    readonly xid: number,
    cause: unknown,
  ) {
    super(
      `Handling the transaction xid ${xid} (commit LSN ${lsn}) failed; the stream stopped and will ` +
        `redeliver it after a restart. Cause: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** The API was used out of order (for example start() twice). A programming error. */
export class ReplicationUsageError extends ReplicationError {
  readonly code = 'replication_usage';
}
