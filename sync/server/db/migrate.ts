/**
 * Forward-only migration runner for migrations/postgres.
 * Guarantees: files apply in version order, each in its own transaction together with its record;
 * an applied file whose checksum changed (or that vanished) stops the run before anything new is
 * applied; concurrent runners serialise on an advisory lock, so running twice is harmless.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { MIGRATION_FILE_NAME, checksumInput } from '../../../shared/migrations/migration-files.js';

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/postgres/', import.meta.url));

const FILE_NAME = MIGRATION_FILE_NAME;
const LOCK_KEY = 'fieldline.migrations';

export type Migration = { version: number; name: string; file: string; sql: string; checksum: string };

export class MigrationError extends Error {
  constructor(
    readonly code: 'bad_file_name' | 'duplicate_version' | 'checksum_mismatch' | 'missing_file' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** The shared rule (shared/migrations/migration-files.ts): SHA-256 of the LF-normalised text. */
export const checksumOf = (sql: string) => crypto.createHash('sha256').update(checksumInput(sql)).digest('hex');

export function loadMigrations(dir = POSTGRES_MIGRATIONS_DIR): Migration[] {
  const seen = new Map<number, string>();
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const m = FILE_NAME.exec(file);
      if (!m) throw new MigrationError('bad_file_name', `${file}: migration files are named NNNN_lower_snake_case.sql`);
      const version = Number(m[1]);
      const other = seen.get(version);
      if (other) throw new MigrationError('duplicate_version', `${file} and ${other} share version ${version}`);
      seen.set(version, file);
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return { version, name: m[2]!, file, sql, checksum: checksumOf(sql) };
    });
}

export type MigrateResult = { applied: string[]; alreadyApplied: number };

export async function migrate(client: pg.ClientBase, migrations = loadMigrations()): Promise<MigrateResult> {
  await client.query('select pg_advisory_lock(hashtext($1))', [LOCK_KEY]);
  try {
    await client.query(`create schema if not exists app`);
    await client.query(`create table if not exists app.schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'select version, name, checksum from app.schema_migrations order by version',
    );
    const byVersion = new Map(migrations.map((m) => [m.version, m]));
    for (const done of rows) {
      const m = byVersion.get(done.version);
      if (!m) {
        throw new MigrationError(
          'missing_file',
          `Migration ${done.version} (${done.name}) is applied to this database but its file is gone. Restore it; applied migrations are never removed.`,
        );
      }
      if (m.checksum !== done.checksum) {
        throw new MigrationError(
          'checksum_mismatch',
          `Migration ${m.file} changed after it was applied (checksum ${done.checksum.slice(0, 12)}… → ${m.checksum.slice(0, 12)}…). ` +
            `Applied migrations are never edited: restore the file and put the change in a new, higher-numbered migration.`,
        );
      }
    }
    const appliedVersions = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of migrations) {
      if (appliedVersions.has(m.version)) continue;
      await client.query('begin');
      try {
        await client.query(m.sql);
        await client.query('insert into app.schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        throw new MigrationError('failed', `Migration ${m.file} failed and was rolled back: ${(e as Error).message}`);
      }
      applied.push(m.file);
    }
    return { applied, alreadyApplied: rows.length };
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [LOCK_KEY]);
  }
}
