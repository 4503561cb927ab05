/**
 * Forward-only migration runner for the replica (migrations/sqlite), the SQLite twin of
 * sync/server/db/migrate.ts with the same file-name and checksum rules (shared/migrations).
 * Guarantees: files apply in version order, each in one transaction together with its record in
 * `replica_migrations`; an applied file that changed or vanished stops the run before anything new
 * is applied, so a replica is never built from two different histories.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { MIGRATION_FILE_NAME, checksumInput } from '../../../shared/migrations/migration-files.js';

export const SQLITE_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/sqlite/', import.meta.url));

export type ReplicaMigration = { version: number; name: string; file: string; sql: string; checksum: string };

export type ReplicaMigrationErrorCode =
  'bad_file_name' | 'duplicate_version' | 'checksum_mismatch' | 'missing_file' | 'failed';

export class ReplicaMigrationError extends Error {
  constructor(
    readonly code: ReplicaMigrationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplicaMigrationError';
  }
}

export const replicaChecksumOf = (sql: string): string =>
  crypto.createHash('sha256').update(checksumInput(sql)).digest('hex');

export function loadReplicaMigrations(dir = SQLITE_MIGRATIONS_DIR): ReplicaMigration[] {
  const seen = new Map<number, string>();
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const m = MIGRATION_FILE_NAME.exec(file);
      if (!m)
        throw new ReplicaMigrationError(
          'bad_file_name',
          `${file}: migration files are named NNNN_lower_snake_case.sql`,
        );
      const version = Number(m[1]);
      const other = seen.get(version);
      if (other) throw new ReplicaMigrationError('duplicate_version', `${file} and ${other} share version ${version}`);
      seen.set(version, file);
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return { version, name: m[2]!, file, sql, checksum: replicaChecksumOf(sql) };
    });
}

export type ReplicaMigrateResult = { applied: string[]; alreadyApplied: number };

type AppliedRow = { version: number; name: string; checksum: string };

export function migrateReplica(
  db: Database.Database,
  migrations: readonly ReplicaMigration[] = loadReplicaMigrations(),
): ReplicaMigrateResult {
  db.exec(`CREATE TABLE IF NOT EXISTS "replica_migrations" (
    "version" INTEGER NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "applied_at" TEXT NOT NULL
  ) STRICT`);
  const done = db
    .prepare('SELECT version, name, checksum FROM replica_migrations ORDER BY version')
    .all() as AppliedRow[];
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of done) {
    const m = byVersion.get(row.version);
    if (!m) {
      throw new ReplicaMigrationError(
        'missing_file',
        `Replica migration ${row.version} (${row.name}) is applied to this file but is missing from the app. ` +
          'The replica was made by a newer app: update the app, or delete the replica file to sync it afresh.',
      );
    }
    if (m.checksum !== row.checksum) {
      throw new ReplicaMigrationError(
        'checksum_mismatch',
        `Replica migration ${m.file} changed after it was applied (checksum ${row.checksum.slice(0, 12)}… → ` +
          `${m.checksum.slice(0, 12)}…). Applied migrations are never edited: restore the file and put the ` +
          'change in a new, higher-numbered migration.',
      );
    }
  }
  const appliedVersions = new Set(done.map((r) => r.version));
  const record = db.prepare('INSERT INTO replica_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  const applied: string[] = [];
  for (const m of migrations) {
    if (appliedVersions.has(m.version)) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        record.run(m.version, m.name, m.checksum, new Date().toISOString());
      })();
    } catch (e) {
      throw new ReplicaMigrationError(
        'failed',
        `Replica migration ${m.file} failed and was rolled back: ${(e as Error).message}`,
      );
    }
    applied.push(m.file);
  }
  return { applied, alreadyApplied: done.length };
}
