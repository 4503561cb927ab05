/**
 * The publication and logical slot one replication stream reads from, named after a stream id the
 * way Electric names them. Runs on an ordinary (non-replication) connection the caller owns.
 */
import type pg from 'pg';
import {
  DatabaseConfigError,
  ReplicationPrivilegeError,
  SlotConflictError,
  SlotInUseError,
  TableNotFoundError,
} from './errors.js';
import { lsnToBigInt } from './lsn.js';
import { qualifiedTable, quoteIdent, replicationNames } from './names.js';
import { SQLSTATE, sqlState } from './pg-errors.js';

export type TableName = { readonly schema: string; readonly name: string };

export type EnsureSlotResult = {
  /** True when the slot did not exist: shape logs stored before cannot be trusted to be complete. */
  readonly created: boolean;
};

export type AddTablesResult = {
  /** Tables that were not yet in the publication. */
  readonly added: readonly TableName[];
  /** Tables whose replica identity was changed to FULL. */
  readonly madeReplicaIdentityFull: readonly TableName[];
};

export type DropSlotOptions = {
  /** Terminate the backend currently streaming from the slot instead of failing with SlotInUseError. */
  readonly terminateActive?: boolean;
};

type SlotRow = { plugin: string | null; slot_type: string; database: string | null; active_pid: number | null };
type TableRow = { relreplident: string; published: boolean };

const ALL_OPERATIONS = ['insert', 'update', 'delete', 'truncate'] as const;
// Concurrent addTables from two processes can collide on the same table; a retry sees it added.
const ADD_TABLES_ATTEMPTS = 3;
const DROP_SLOT_WAIT_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PublicationManager {
  readonly publication: string;
  readonly slot: string;

  constructor(
    private readonly db: pg.ClientBase,
    options: { streamId?: string } = {},
  ) {
    ({ publication: this.publication, slot: this.slot } = replicationNames(options.streamId));
  }

  /** Creates the (initially empty) publication if missing; true when it was created. */
  async ensurePublication(): Promise<boolean> {
    const existing = await this.db.query<Record<`pub${(typeof ALL_OPERATIONS)[number]}`, boolean>>(
      'select pubinsert, pubupdate, pubdelete, pubtruncate from pg_publication where pubname = $1',
      [this.publication],
    );
    const row = existing.rows[0];
    if (row) {
      const missing = ALL_OPERATIONS.filter((op) => !row[`pub${op}`]);
      if (missing.length) {
        throw new DatabaseConfigError(
          `Publication "${this.publication}" does not publish ${missing.join(', ')}. Run ALTER PUBLICATION ` +
            `${quoteIdent(this.publication)} SET (publish = '${ALL_OPERATIONS.join(', ')}').`,
        );
      }
      return false;
    }
    try {
      await this.db.query(`create publication ${quoteIdent(this.publication)}`);
      return true;
    } catch (error) {
      if (sqlState(error) === SQLSTATE.duplicateObject) return false;
      throw asPrivilegeError(error, `create publication "${this.publication}"`) ?? error;
    }
  }

  /**
   * Adds the tables to the publication (creating it if needed) and makes their replica identity
   * FULL, which replication needs for old rows and unchanged TOAST values. One transaction.
   */
  async addTables(tables: readonly TableName[]): Promise<AddTablesResult> {
    await this.ensurePublication();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.addTablesOnce(sortedUnique(tables));
      } catch (error) {
        if (sqlState(error) !== SQLSTATE.duplicateObject || attempt >= ADD_TABLES_ATTEMPTS) {
          throw asPrivilegeError(error, `add tables to publication "${this.publication}"`) ?? error;
        }
      }
    }
  }

  private async addTablesOnce(tables: readonly TableName[]): Promise<AddTablesResult> {
    const added: TableName[] = [];
    const madeReplicaIdentityFull: TableName[] = [];
    await this.db.query('begin');
    try {
      for (const table of tables) {
        const { rows } = await this.db.query<TableRow>(
          `select c.relreplident,
                  exists(select 1 from pg_publication_tables p
                          where p.pubname = $3 and p.schemaname = $1 and p.tablename = $2) as published
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')`,
          [table.schema, table.name, this.publication],
        );
        const row = rows[0];
        if (!row) throw new TableNotFoundError(table.schema, table.name);
        const qualified = qualifiedTable(table.schema, table.name);
        if (row.relreplident !== 'f') {
          await this.db.query(`alter table ${qualified} replica identity full`);
          madeReplicaIdentityFull.push(table);
        }
        if (!row.published) {
          await this.db.query(`alter publication ${quoteIdent(this.publication)} add table ${qualified}`);
          added.push(table);
        }
      }
      await this.db.query('commit');
      return { added, madeReplicaIdentityFull };
    } catch (error) {
      // Keep the original error: a failed rollback only means the connection is gone too.
      await this.db.query('rollback').catch(() => undefined);
      throw error;
    }
  }

  /** Creates the logical slot (pgoutput) if missing. A new slot starts at the current WAL position. */
  async ensureSlot(): Promise<EnsureSlotResult> {
    if (await this.findOwnSlot()) return { created: false };
    try {
      await this.db.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [this.slot]);
      return { created: true };
    } catch (error) {
      // Another process created it between our check and our create.
      if (sqlState(error) === SQLSTATE.duplicateObject && (await this.findOwnSlot())) return { created: false };
      if (sqlState(error) === SQLSTATE.configurationLimitExceeded) {
        throw new DatabaseConfigError(
          `Cannot create replication slot "${this.slot}": all replication slots are in use. Drop unused ` +
            `slots (see pg_replication_slots) or raise max_replication_slots.`,
          { cause: error },
        );
      }
      if (sqlState(error) === SQLSTATE.objectNotInPrerequisiteState) {
        throw new DatabaseConfigError(
          `Cannot create replication slot "${this.slot}": ${errorMessage(error)}. Set wal_level = logical and restart Postgres.`,
          { cause: error },
        );
      }
      throw asPrivilegeError(error, `create replication slot "${this.slot}"`) ?? error;
    }
  }

  /** Drops the slot (letting Postgres recycle the WAL it held); false when there was none. */
  async dropSlot(options: DropSlotOptions = {}): Promise<boolean> {
    const deadline = Date.now() + DROP_SLOT_WAIT_MS;
    for (;;) {
      const slot = await this.findOwnSlot();
      if (!slot) return false;
      if (slot.active_pid !== null) {
        if (!options.terminateActive) throw new SlotInUseError(this.slot);
        await this.db.query('select pg_terminate_backend($1)', [slot.active_pid]);
      }
      try {
        await this.db.query('select pg_drop_replication_slot($1)', [this.slot]);
        return true;
      } catch (error) {
        const state = sqlState(error);
        if (state === SQLSTATE.undefinedObject) return false;
        // A terminated walsender releases the slot a moment after it is signalled.
        if (state !== SQLSTATE.objectInUse || !options.terminateActive || Date.now() > deadline) {
          throw state === SQLSTATE.objectInUse ? new SlotInUseError(this.slot, { cause: error }) : error;
        }
        await sleep(50);
      }
    }
  }

  /** Position up to which the consumer acknowledged transactions; undefined when there is no slot. */
  async confirmedFlushLsn(): Promise<bigint | undefined> {
    const { rows } = await this.db.query<{ lsn: string | null }>(
      'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
      [this.slot],
    );
    const lsn = rows[0]?.lsn;
    return lsn ? lsnToBigInt(lsn) : undefined;
  }

  /** The slot, if it exists and is usable by this database; throws if the name is taken otherwise. */
  private async findOwnSlot(): Promise<SlotRow | undefined> {
    const { rows } = await this.db.query<SlotRow & { current: string }>(
      `select plugin, slot_type, database, active_pid, current_database() as current
         from pg_replication_slots where slot_name = $1`,
      [this.slot],
    );
    const slot = rows[0];
    if (!slot) return undefined;
    if (slot.slot_type !== 'logical' || slot.plugin !== 'pgoutput' || slot.database !== slot.current) {
      throw new SlotConflictError(
        `Replication slot "${this.slot}" already exists as a ${slot.slot_type} slot (plugin ${slot.plugin ?? 'none'}) ` +
          `in database "${slot.database ?? 'none'}". Slot names are cluster-wide: choose another replication ` +
          `stream id for this database, or drop that slot if it is stale.`,
      );
    }
    return slot;
  }
}

function sortedUnique(tables: readonly TableName[]): TableName[] {
  const byKey = new Map(tables.map((t) => [JSON.stringify([t.schema, t.name]), t]));
  // A stable order keeps lock acquisition consistent across concurrent callers.
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asPrivilegeError(error: unknown, action: string): ReplicationPrivilegeError | undefined {
  if (sqlState(error) !== SQLSTATE.insufficientPrivilege) return undefined;
  return new ReplicationPrivilegeError(
    `Not allowed to ${action}: ${errorMessage(error)}. The role needs the REPLICATION attribute and ` +
      `ownership of the published tables (or run as a superuser).`,
    { cause: error },
  );
}
