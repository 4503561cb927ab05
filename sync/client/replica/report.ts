/**
 * What a replica file holds, for operators and diagnostics (`fieldline status`): per synced table its
 * real row count and where its shape stream resumes, plus outbox and conflict counts once the outbox
 * exists. Reading never changes the file: it is opened read-only, never created and never migrated;
 * a file whose migrations are behind this app is reported as such instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SYNCED_TABLES } from '../../../shared/schema/tables.js';
import { loadReplicaMigrations, type ReplicaMigration } from './migrations.js';
import { outboxCounts, type OutboxCounts } from '../local/outbox.js';
import type { Replica } from './open-replica.js';
import { readAllShapeStates, type PendingState } from './sync-state.js';

/**
 * `synced`: the table has applied an up-to-date at least once; `initial`: it has rows or a stream
 * position but was never up to date (an initial sync was interrupted); `empty`: never synced.
 */
export type ReplicaTableState = 'synced' | 'initial' | 'empty';

export type ReplicaTableReport = {
  table: string;
  state: ReplicaTableState;
  /** `count(*)` of the replica table. */
  rows: number;
  /** Shape handle and offset the stream resumes from; null when never synced. */
  handle: string | null;
  offset: string | null;
  lastUpToDateAt: string | null;
  /** Response bytes received for the current shape. */
  bytes: number;
  /** A large batch parked on disk (sync_pending) to be applied at the next up-to-date. */
  pending: (PendingState & { parkedChanges: number }) | null;
};

/**
 * `current`: every migration of this app is applied; `behind`: some are not (an older file; the next
 * `fieldline sync` migrates it); `ahead`: the file has migrations this app does not know (made by a
 * newer app); `changed`: an applied migration's checksum differs from this app's file.
 */
export type ReplicaMigrationState = 'current' | 'behind' | 'ahead' | 'changed';

export type ReplicaMigrationsReport = {
  state: ReplicaMigrationState;
  /** Migrations recorded in the file. */
  applied: number;
  /** Migrations this app has. */
  known: number;
  /** This app's migrations the file lacks. */
  missing: string[];
  /** Versions applied to the file that this app does not have. */
  unknown: number[];
  /** Applied migrations whose checksum differs from this app's file. */
  changed: string[];
};

export type OutboxReport = Required<OutboxCounts>;

export type ReplicaReport = {
  file: string;
  /** Size of the main file on disk (the WAL comes on top while a writer is open). */
  fileBytes: number;
  migrations: ReplicaMigrationsReport;
  /** Whole-replica summary; null when the tables could not be read (migrations behind or changed). */
  summary: {
    state: ReplicaTableState;
    tables: number;
    synced: number;
    initial: number;
    empty: number;
    rows: number;
    bytes: number;
    /** The oldest up-to-date among synced tables: the replica is at least this fresh everywhere synced. */
    oldestUpToDateAt: string | null;
  } | null;
  /** Per synced table, in SYNCED_TABLES order; null when the tables could not be read. */
  tables: ReplicaTableReport[] | null;
  /** null until the outbox tables exist in the file. */
  outbox: OutboxReport | null;
  /** Why part of the report is missing. */
  note?: string;
};

export type ReplicaReportErrorCode = 'no_replica' | 'not_a_replica' | 'unreadable';

export class ReplicaReportError extends Error {
  constructor(
    readonly code: ReplicaReportErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ReplicaReportError';
  }
}

/** The outbox tables (added with the outbox; counted only when present). */
export const OUTBOX_TABLE = 'sync_outbox';
export const CONFLICTS_TABLE = 'sync_conflicts';

export type ReplicaReportOptions = {
  /** This app's migrations (tests); defaults to migrations/sqlite. */
  migrations?: readonly ReplicaMigration[];
};

/** Reports on the replica at `file`, read-only. Throws ReplicaReportError when there is nothing to report on. */
export function replicaReport(file: string, opts: ReplicaReportOptions = {}): ReplicaReport {
  const abs = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new ReplicaReportError('no_replica', `no replica at ${abs}; run \`fieldline sync\` first`);
  }
  if (!stat.isFile()) throw new ReplicaReportError('not_a_replica', `${abs} is not a file`);
  let db: Replica;
  try {
    db = new Database(abs, { readonly: true, fileMustExist: true, timeout: 5_000 });
  } catch (e) {
    throw new ReplicaReportError('unreadable', `cannot open ${abs}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return reportOf(db, abs, stat.size, opts.migrations ?? loadReplicaMigrations());
  } catch (e) {
    if (e instanceof ReplicaReportError) throw e;
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB')
      throw new ReplicaReportError('not_a_replica', `${abs} is not a SQLite database`, { cause: e });
    throw new ReplicaReportError('unreadable', `cannot read ${abs}: ${(e as Error).message}`, { cause: e });
  } finally {
    db.close();
  }
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

function reportOf(
  db: Replica,
  file: string,
  fileBytes: number,
  migrations: readonly ReplicaMigration[],
): ReplicaReport {
  // One read transaction: counts and stream positions from the same snapshot, even while a sync writes.
  return db.transaction((): ReplicaReport => {
    const existing = new Set(
      (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]).map(String),
    );
    if (!existing.has('replica_migrations'))
      throw new ReplicaReportError('not_a_replica', `${file} is not a Fieldline replica (no replica_migrations table)`);
    const m = migrationsOf(db, migrations);
    if (m.state === 'behind' || m.state === 'changed') {
      return {
        file,
        fileBytes,
        migrations: m,
        summary: null,
        tables: null,
        outbox: null,
        note:
          m.state === 'behind'
            ? `the replica's schema is behind this app (missing ${m.missing.join(', ')}); ` +
              'status does not migrate it: the next `fieldline sync` will'
            : `applied migrations differ from this app's (${m.changed.join(', ')}); the replica cannot be used as is`,
      };
    }
    const states = new Map(readAllShapeStates(db).map((s) => [s.table, s]));
    const parked = new Map(
      (
        db.prepare('SELECT table_name, count(*) AS n FROM sync_pending GROUP BY table_name').all() as {
          table_name: string;
          n: number;
        }[]
      ).map((r) => [r.table_name, r.n]),
    );
    const tables = SYNCED_TABLES.map((t): ReplicaTableReport => {
      const rows = existing.has(t.name)
        ? (db
            .prepare(`SELECT count(*) FROM ${q(t.name)}`)
            .pluck()
            .get() as number)
        : 0;
      const s = states.get(t.name);
      return {
        table: t.name,
        state: s?.lastUpToDateAt ? 'synced' : s || rows > 0 ? 'initial' : 'empty',
        rows,
        handle: s?.handle ?? null,
        offset: s?.offset ?? null,
        lastUpToDateAt: s?.lastUpToDateAt ?? null,
        bytes: s?.bytes ?? 0,
        pending: s?.pending ? { ...s.pending, parkedChanges: parked.get(t.name) ?? 0 } : null,
      };
    });
    const count = (state: ReplicaTableState) => tables.filter((t) => t.state === state).length;
    const synced = count('synced');
    const empty = count('empty');
    const upToDate = tables.map((t) => t.lastUpToDateAt).filter((x): x is string => x !== null);
    return {
      file,
      fileBytes,
      migrations: m,
      summary: {
        state: synced === tables.length ? 'synced' : empty === tables.length ? 'empty' : 'initial',
        tables: tables.length,
        synced,
        initial: count('initial'),
        empty,
        rows: tables.reduce((n, t) => n + t.rows, 0),
        bytes: tables.reduce((n, t) => n + t.bytes, 0),
        oldestUpToDateAt: upToDate.length ? upToDate.sort()[0]! : null,
      },
      tables,
      outbox: outboxOf(db, existing),
    };
  })();
}

function migrationsOf(db: Replica, known: readonly ReplicaMigration[]): ReplicaMigrationsReport {
  const applied = db.prepare('SELECT version, checksum FROM replica_migrations ORDER BY version').all() as {
    version: number;
    checksum: string;
  }[];
  const appliedByVersion = new Map(applied.map((r) => [r.version, r.checksum]));
  const knownVersions = new Set(known.map((k) => k.version));
  const missing = known.filter((k) => !appliedByVersion.has(k.version)).map((k) => k.file);
  const unknown = applied.filter((r) => !knownVersions.has(r.version)).map((r) => r.version);
  const changed = known
    .filter((k) => appliedByVersion.has(k.version) && appliedByVersion.get(k.version) !== k.checksum)
    .map((k) => k.file);
  return {
    state: changed.length ? 'changed' : missing.length ? 'behind' : unknown.length ? 'ahead' : 'current',
    applied: applied.length,
    known: known.length,
    missing,
    unknown,
    changed,
  };
}

function outboxOf(db: Replica, existing: ReadonlySet<string>): OutboxReport | null {
  if (!existing.has(OUTBOX_TABLE) || !existing.has(CONFLICTS_TABLE)) return null;
  return outboxCounts(db);
}
