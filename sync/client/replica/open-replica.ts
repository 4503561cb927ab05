/**
 * Opens (creating if needed) the replica file and brings its schema up to date.
 * WAL lets the UI read while the sync engine writes; synchronous=NORMAL keeps every committed
 * transaction across an app crash (only an OS crash or power loss may lose the last ones, which
 * the shape log re-delivers because their offsets were lost with them). Foreign keys stay off: the
 * server enforces integrity, and shapes arrive table by table in no parent-first order.
 */
import Database from 'better-sqlite3';
import { migrateReplica, type ReplicaMigrateResult, type ReplicaMigration } from './migrations.js';

export type Replica = Database.Database;

/**
 * Where better-sqlite3's compiled addon lives when it is not the one beside its package: `npm start`
 * keeps a copy built for Electron's ABI apart, so the Node build that tests and the CLI use stays
 * intact. Read from the environment because the engine's worker thread opens the replica too.
 */
export const NATIVE_BINDING_ENV = 'FIELDLINE_SQLITE_BINDING';
const nativeBinding = () => process.env[NATIVE_BINDING_ENV] || undefined;

export type OpenReplicaOptions = {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Override the migrations (tests); defaults to migrations/sqlite. */
  migrations?: readonly ReplicaMigration[];
};

export type OpenedReplica = { db: Replica; migrations: ReplicaMigrateResult };

export function openReplica(file: string, opts: OpenReplicaOptions = {}): OpenedReplica {
  const db = new Database(file, { nativeBinding: nativeBinding() });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5_000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = OFF');
    const migrations = opts.migrations ? migrateReplica(db, opts.migrations) : migrateReplica(db);
    return { db, migrations };
  } catch (e) {
    db.close();
    throw e;
  }
}
