/**
 * The migration runner against real, empty Postgres databases. Scenarios that need modified
 * migrations work on copies in a temp dir; the real migrations/ folder is only ever read.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { MigrationError, POSTGRES_MIGRATIONS_DIR, checksumOf, loadMigrations, migrate } from './migrate.js';

const databases: TestDatabase[] = [];
const tempDirs: string[] = [];

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh, empty database and a connection to it; both are cleaned up by the caller / afterAll. */
async function emptyDatabase(): Promise<{ db: TestDatabase; client: pg.Client }> {
  const db = await createTestDatabase('empty');
  databases.push(db);
  return { db, client: await connect(db.url) };
}

function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  tempDirs.push(dir);
  return dir;
}

/** A temp dir holding copies of the real Postgres migrations. */
function copyOfRealMigrations(): string {
  const dir = tempDir('migrations-copy');
  for (const file of fs.readdirSync(POSTGRES_MIGRATIONS_DIR)) {
    fs.copyFileSync(path.join(POSTGRES_MIGRATIONS_DIR, file), path.join(dir, file));
  }
  return dir;
}

/** A temp dir holding the given files. */
function migrationsDir(files: Record<string, string>): string {
  const dir = tempDir('migrations');
  for (const [file, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), sql);
  return dir;
}

/** The file name of a migration that sorts after every real one. */
function nextMigrationFile(dir: string, name: string): string {
  const last = Math.max(...loadMigrations(dir).map((m) => m.version));
  return `${String(last + 1).padStart(4, '0')}_${name}.sql`;
}

/** Runs `fn`, which must throw a MigrationError, and returns that error. */
async function migrationError(fn: () => unknown): Promise<MigrationError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MigrationError);
    return e as MigrationError;
  }
  throw new Error('expected a MigrationError, but nothing was thrown');
}

type MigrationRow = { version: number; name: string; checksum: string; applied_at: Date };

async function recorded(client: pg.ClientBase): Promise<MigrationRow[]> {
  const { rows } = await client.query<MigrationRow>(
    'select version, name, checksum, applied_at from app.schema_migrations order by version',
  );
  return rows;
}

async function tableExists(client: pg.ClientBase, name: string): Promise<boolean> {
  const { rows } = await client.query<{ oid: string | null }>('select to_regclass($1)::text as oid', [name]);
  return rows[0]?.oid != null;
}

/** Everything a migration can create, as one comparable value. */
async function schemaFingerprint(client: pg.ClientBase): Promise<unknown> {
  const queries = {
    relations: `select n.nspname, c.relname, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity,
                       pg_get_userbyid(c.relowner) as owner
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
                order by 1, 2`,
    columns: `select c.oid::regclass::text as rel, a.attname, format_type(a.atttypid, a.atttypmod) as type,
                     a.attnotnull, pg_get_expr(d.adbin, d.adrelid) as default
              from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
              left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
              where n.nspname in ('public', 'app', 'auth') and a.attnum > 0 and not a.attisdropped
              order by 1, 2`,
    constraints: `select conrelid::regclass::text as rel, conname, pg_get_constraintdef(oid) as def
                  from pg_constraint where connamespace::regnamespace::text in ('public', 'app', 'auth')
                  order by 1, 2`,
    functions: `select p.oid::regprocedure::text as fn, md5(p.prosrc) as src from pg_proc p
                where p.pronamespace::regnamespace::text in ('public', 'app', 'auth') order by 1`,
    triggers: `select tgrelid::regclass::text as rel, tgname from pg_trigger where not tgisinternal order by 1, 2`,
    policies: `select polrelid::regclass::text as rel, polname, pg_get_expr(polqual, polrelid) as qual
               from pg_policy order by 1, 2`,
    publications: `select pubname, schemaname, tablename from pg_publication_tables order by 1, 2, 3`,
    migrations: `select version, name, checksum, applied_at from app.schema_migrations order by version`,
  };
  const out: Record<string, unknown[]> = {};
  for (const [key, sql] of Object.entries(queries)) out[key] = (await client.query(sql)).rows;
  return out;
}

describe('migrate', () => {
  it('applies the real migrations to an empty database once, recording each with its checksum', async () => {
    const { client } = await emptyDatabase();
    try {
      const migrations = loadMigrations();
      expect(migrations.length).toBeGreaterThan(0);

      const first = await migrate(client);
      expect(first).toEqual({ applied: migrations.map((m) => m.file), alreadyApplied: 0 });
      const rows = await recorded(client);
      expect(rows.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
        migrations.map(({ version, name, checksum }) => ({ version, name, checksum })),
      );
      for (const m of migrations) expect(m.checksum).toBe(checksumOf(m.sql));

      const before = await schemaFingerprint(client);
      const second = await migrate(client);
      expect(second).toEqual({ applied: [], alreadyApplied: migrations.length });
      expect(await schemaFingerprint(client)).toEqual(before);
    } finally {
      await client.end();
    }
  });

  it('refuses a changed applied migration and applies nothing new in that run', async () => {
    const { client } = await emptyDatabase();
    try {
      const dir = copyOfRealMigrations();
      await migrate(client, loadMigrations(dir));
      const before = await recorded(client);

      const edited = loadMigrations(dir)[1]!.file;
      fs.appendFileSync(path.join(dir, edited), '\n-- an edit after the fact\n');
      const next = nextMigrationFile(dir, 'after_the_edit');
      fs.writeFileSync(path.join(dir, next), 'create table public.created_after_edit (id integer primary key);\n');

      const err = await migrationError(() => migrate(client, loadMigrations(dir)));
      expect(err.code).toBe('checksum_mismatch');
      expect(err.message).toContain(edited);
      expect(await tableExists(client, 'public.created_after_edit')).toBe(false);
      expect(await recorded(client)).toEqual(before);
    } finally {
      await client.end();
    }
  });

  it('hashes CRLF line endings like LF, so a Windows checkout is not a changed migration', async () => {
    const lf = 'create table t (\n  id integer\n);\n';
    expect(checksumOf(lf.replace(/\n/g, '\r\n'))).toBe(checksumOf(lf));

    const { client } = await emptyDatabase();
    try {
      const dir = copyOfRealMigrations();
      const asApplied = loadMigrations(dir);
      await migrate(client, asApplied);

      for (const m of asApplied) {
        const sql = fs.readFileSync(path.join(dir, m.file), 'utf8');
        fs.writeFileSync(path.join(dir, m.file), sql.replace(/\r?\n/g, '\r\n'));
      }
      const crlf = loadMigrations(dir);
      expect(crlf.every((m) => m.sql.includes('\r\n'))).toBe(true);
      expect(crlf.map((m) => m.checksum)).toEqual(asApplied.map((m) => m.checksum));
      expect(await migrate(client, crlf)).toEqual({ applied: [], alreadyApplied: asApplied.length });
    } finally {
      await client.end();
    }
  });

  it('refuses to run when an applied migration file has disappeared', async () => {
    const { client } = await emptyDatabase();
    try {
      const dir = migrationsDir({
        '0001_first.sql': 'create table public.first (id integer primary key);',
        '0002_second.sql': 'create table public.second (id integer primary key);',
      });
      await migrate(client, loadMigrations(dir));
      fs.rmSync(path.join(dir, '0001_first.sql'));
      fs.writeFileSync(path.join(dir, '0003_third.sql'), 'create table public.third (id integer primary key);');

      const err = await migrationError(() => migrate(client, loadMigrations(dir)));
      expect(err.code).toBe('missing_file');
      expect(err.message).toContain('Migration 1 (first)');
      expect(await tableExists(client, 'public.third')).toBe(false);
      expect((await recorded(client)).map((r) => r.version)).toEqual([1, 2]);
    } finally {
      await client.end();
    }
  });

  it.each(['1_init.sql', '0001-init.sql', '0001_Init.sql', 'V0001_init.sql', '00001_init.sql', '0001_.sql'])(
    'rejects the badly named file %s',
    async (file) => {
      const dir = migrationsDir({ '0001_good.sql': 'select 1;', [file]: 'select 1;' });
      const err = await migrationError(() => loadMigrations(dir));
      expect(err.code).toBe('bad_file_name');
      expect(err.message).toContain(file);
    },
  );

  it('ignores files that are not .sql', () => {
    const dir = migrationsDir({ '0001_good.sql': 'select 1;', 'README.md': '# notes' });
    expect(loadMigrations(dir).map((m) => m.file)).toEqual(['0001_good.sql']);
  });

  it('rejects two files with the same version', async () => {
    const dir = migrationsDir({
      '0001_first.sql': 'select 1;',
      '0002_second.sql': 'select 2;',
      '0002_also_second.sql': 'select 3;',
    });
    const err = await migrationError(() => loadMigrations(dir));
    expect(err.code).toBe('duplicate_version');
    expect(err.message).toContain('0002_second.sql');
    expect(err.message).toContain('0002_also_second.sql');
  });

  it('rolls a failing migration back entirely and keeps the earlier ones', async () => {
    const { client } = await emptyDatabase();
    try {
      const dir = migrationsDir({
        '0001_first.sql': 'create table public.first (id integer primary key);',
        '0002_second.sql': 'create table public.second (id integer primary key);',
        '0003_broken.sql': [
          'create table public.partial (id integer primary key);',
          'insert into public.partial values (1);',
          'alter table public.first add column added_by_broken text;',
          'select * from public.no_such_table;',
        ].join('\n'),
        '0004_after_broken.sql': 'create table public.after_broken (id integer primary key);',
      });

      const err = await migrationError(() => migrate(client, loadMigrations(dir)));
      expect(err.code).toBe('failed');
      expect(err.message).toContain('0003_broken.sql');
      expect(err.message).toContain('no_such_table');

      expect((await recorded(client)).map((r) => r.version)).toEqual([1, 2]);
      expect(await tableExists(client, 'public.first')).toBe(true);
      expect(await tableExists(client, 'public.second')).toBe(true);
      expect(await tableExists(client, 'public.partial')).toBe(false);
      expect(await tableExists(client, 'public.after_broken')).toBe(false);
      const { rows } = await client.query(
        `select 1 from pg_attribute where attrelid = 'public.first'::regclass and attname = 'added_by_broken'`,
      );
      expect(rows).toEqual([]);

      // The connection is usable afterwards, and a repaired (never recorded) file applies.
      fs.writeFileSync(path.join(dir, '0003_broken.sql'), 'create table public.partial (id integer primary key);');
      expect(await migrate(client, loadMigrations(dir))).toEqual({
        applied: ['0003_broken.sql', '0004_after_broken.sql'],
        alreadyApplied: 2,
      });
    } finally {
      await client.end();
    }
  });

  it('serialises two concurrent runners on one database: both succeed, each migration recorded once', async () => {
    const { db, client: a } = await emptyDatabase();
    const b = await connect(db.url);
    try {
      const migrations = loadMigrations();
      const results = await Promise.all([migrate(a), migrate(b)]);

      expect(results.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.file));
      // One runner did all the work; the other waited for the lock and found nothing left to do.
      expect(results.map((r) => r.applied.length).sort((x, y) => x - y)).toEqual([0, migrations.length]);
      const { rows } = await a.query<{ version: number; n: number }>(
        'select version, count(*)::int as n from app.schema_migrations group by version order by version',
      );
      expect(rows).toEqual(migrations.map((m) => ({ version: m.version, n: 1 })));
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
