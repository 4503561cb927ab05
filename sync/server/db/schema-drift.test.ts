/**
 * "One definition": shared/schema/tables.ts is the schema. The hand-written Postgres migrations and
 * the committed SQLite replica migrations are checked against it here, on a real migrated Postgres
 * database and a real SQLite file. Every failure names the table and column to fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLUMN_KINDS } from '../../../shared/schema/columns.js';
import { sqliteOverlayDdl, sqliteReplicaDdl } from '../../../shared/schema/sqlite-ddl.js';
import { primaryKey, publicColumnNames, type TableDef } from '../../../shared/schema/table.js';
import { SYNCED_TABLES } from '../../../shared/schema/tables.js';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';

const SQLITE_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/sqlite/', import.meta.url));
const sqliteMigrationFiles = () =>
  fs
    .readdirSync(SQLITE_MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();

const byTable = SYNCED_TABLES.map((t) => [t.name, t] as const);
const sameSet = (a: Iterable<string>, b: Iterable<string>) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

describe('Postgres schema matches shared/schema/tables.ts', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('migrated');
    client = await connect(db.url);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  type PgColumn = { name: string; type: string; not_null: boolean; has_default: boolean };
  const pgColumns = async (table: string) =>
    (
      await client.query<PgColumn>(
        `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
                (a.atthasdef or a.attidentity <> '') as has_default
         from pg_attribute a
         where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
         order by a.attnum`,
        [`public.${table}`],
      )
    ).rows;

  /** Non-partial indexes with their key columns in order (null for an expression). */
  type PgIndex = { name: string; columns: (string | null)[] };
  const pgIndexes = async (table: string) =>
    (
      await client.query<PgIndex>(
        `select i.indexrelid::regclass::text as name,
                array(select a.attname::text
                      from unnest((i.indkey::int2[])[0:i.indnkeyatts - 1]) with ordinality k(attnum, ord)
                      left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                      order by k.ord) as columns
         from pg_index i
         where i.indrelid = $1::regclass and i.indpred is null and i.indisvalid`,
        [`public.${table}`],
      )
    ).rows;

  const pgConstraints = async (table: string, type: 'c' | 'f' | 'p') =>
    (
      await client.query<{ name: string; def: string; columns: string[] }>(
        `select c.conname as name, pg_get_constraintdef(c.oid) as def,
                array(select a.attname::text
                      from unnest(c.conkey) with ordinality k(attnum, ord)
                      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
                      order by k.ord) as columns
         from pg_constraint c
         where c.conrelid = $1::regclass and c.contype = $2`,
        [`public.${table}`, type],
      )
    ).rows;

  it('has exactly the synced tables in schema public', async () => {
    const { rows } = await client.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
    );
    const actual = rows.map((r) => r.name);
    const declared = SYNCED_TABLES.map((t) => t.name);
    const undeclared = actual.filter((n) => !declared.includes(n)).map((n) => `table ${n}: in Postgres, not declared`);
    const missing = declared.filter((n) => !actual.includes(n)).map((n) => `table ${n}: declared, not in Postgres`);
    expect([...undeclared, ...missing]).toEqual([]);
  });

  it.each(byTable)('%s: columns, types, nullability, defaults and primary key', async (name, t) => {
    const actual = new Map((await pgColumns(name)).map((c) => [c.name, c]));
    const problems: string[] = [];
    for (const col of actual.keys()) {
      if (!(col in t.columns)) problems.push(`${name}.${col}: in Postgres, not in the definition`);
    }
    for (const [col, def] of Object.entries(t.columns)) {
      const c = actual.get(col);
      if (!c) {
        problems.push(`${name}.${col}: in the definition, not in Postgres`);
        continue;
      }
      const type = COLUMN_KINDS[def.kind].pg;
      if (c.type !== type) problems.push(`${name}.${col}: Postgres type ${c.type}, definition ${def.kind} → ${type}`);
      const notNull = !def.nullable || def.primaryKey;
      if (c.not_null !== notNull) {
        problems.push(
          `${name}.${col}: ${c.not_null ? 'NOT NULL' : 'nullable'} in Postgres, but the definition says ${notNull ? 'NOT NULL' : 'optional()'}`,
        );
      }
      if (def.hasDefault && !c.has_default) {
        problems.push(`${name}.${col}: the definition says it has a default, Postgres has none`);
      }
    }
    const pk = (await pgConstraints(name, 'p'))[0]?.columns ?? [];
    if (!sameSet(pk, primaryKey(t)) || pk.length !== primaryKey(t).length) {
      problems.push(
        `${name}: primary key (${pk.join(', ')}) in Postgres, (${primaryKey(t).join(', ')}) in the definition`,
      );
    }
    expect(problems).toEqual([]);
  });

  it.each(byTable)('%s: every oneOf column has a CHECK constraint listing its values', async (name, t) => {
    const checks = await pgConstraints(name, 'c');
    const problems: string[] = [];
    for (const [col, def] of Object.entries(t.columns)) {
      if (!def.values) continue;
      const mentions = new RegExp(`\\b${col}\\b`);
      const onColumn = checks.filter((c) => mentions.test(c.def));
      const covering = onColumn.find((c) => def.values!.every((v) => c.def.includes(`'${v.replace(/'/g, "''")}'`)));
      if (!covering) {
        const missing = def.values.filter((v) => !onColumn.some((c) => c.def.includes(`'${v}'`)));
        problems.push(
          onColumn.length === 0
            ? `${name}.${col}: no CHECK constraint restricts it to ${def.values.join(', ')}`
            : `${name}.${col}: no CHECK constraint allows ${missing.join(', ')} (${onColumn.map((c) => c.def).join('; ')})`,
        );
        continue;
      }
      // A plain `col in (…)` check must not allow values the definition (and so the client) does not know.
      const plain = new RegExp(`^CHECK \\(\\(${col} = ANY \\(ARRAY\\[(.*)\\]\\)\\)\\)$`).exec(covering.def);
      if (plain) {
        const allowed = [...plain[1]!.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1]!.replace(/''/g, "'"));
        const extra = allowed.filter((v) => !def.values!.includes(v));
        if (extra.length)
          problems.push(`${name}.${col}: Postgres also allows ${extra.join(', ')}, the definition does not`);
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(byTable.filter(([, t]) => t.scope !== 'id'))('%s: has an index led by organization_id', async (name, t) => {
    const indexes = await pgIndexes(name);
    const led = indexes.filter((i) => i.columns[0] === t.scope);
    expect(
      led.map((i) => i.name),
      `${name}: no (non-partial) index starts with ${t.scope}`,
    ).not.toEqual([]);
  });

  it.each(byTable)('%s: every foreign key is covered by the leading columns of an index', async (name) => {
    const indexes = await pgIndexes(name);
    const fks = await pgConstraints(name, 'f');
    const uncovered = fks
      .filter((fk) => !indexes.some((i) => sameSet(i.columns.slice(0, fk.columns.length).map(String), fk.columns)))
      .map((fk) => `${name} (${fk.columns.join(', ')}): foreign key ${fk.name} has no index led by these columns`);
    expect(uncovered).toEqual([]);
  });
});

describe('SQLite replica schema matches shared/schema/tables.ts', () => {
  let dir: string;
  let sqlite: Database.Database;

  beforeAll(() => {
    dir = makeTempDir('schema-drift-sqlite');
    sqlite = new Database(path.join(dir, 'replica.db'));
    for (const file of sqliteMigrationFiles()) {
      sqlite.exec(fs.readFileSync(path.join(SQLITE_MIGRATIONS_DIR, file), 'utf8'));
    }
  });
  afterAll(() => {
    sqlite?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  type TableInfo = { cid: number; name: string; type: string; notnull: 0 | 1; dflt_value: unknown; pk: number };

  it.each(byTable)('%s: public columns, types, nullability and primary key', (name, t: TableDef) => {
    const info = sqlite.prepare(`select * from pragma_table_info(?)`).all(name) as TableInfo[];
    expect(info.length, `${name}: table missing from the SQLite replica`).toBeGreaterThan(0);
    const actual = new Map(info.map((c) => [c.name, c]));
    const expected = publicColumnNames(t);
    const problems: string[] = [];
    for (const col of actual.keys()) {
      if (!expected.includes(col)) {
        problems.push(
          t.columns[col]?.secret
            ? `${name}.${col}: secret column present in the SQLite replica`
            : `${name}.${col}: in SQLite, not in the definition`,
        );
      }
    }
    for (const col of expected) {
      const def = t.columns[col]!;
      const c = actual.get(col);
      if (!c) {
        problems.push(`${name}.${col}: in the definition, not in SQLite`);
        continue;
      }
      const type = COLUMN_KINDS[def.kind].sqlite.toUpperCase();
      if (c.type !== type) problems.push(`${name}.${col}: SQLite type ${c.type}, definition ${def.kind} → ${type}`);
      const notNull = !def.nullable || def.primaryKey;
      if (Boolean(c.notnull) !== notNull) {
        problems.push(
          `${name}.${col}: ${c.notnull ? 'NOT NULL' : 'nullable'} in SQLite, but the definition says ${notNull ? 'NOT NULL' : 'optional()'}`,
        );
      }
      const isPk = col === 'id';
      if (Boolean(c.pk) !== isPk)
        problems.push(`${name}.${col}: ${isPk ? 'should be' : 'must not be'} the primary key`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps secret columns out of the replica', () => {
    const secrets = SYNCED_TABLES.flatMap((t) =>
      Object.entries(t.columns)
        .filter(([, c]) => c.secret)
        .map(([col]) => [t.name, col] as const),
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        ['properties', 'access_codes'],
        ['devices', 'admin_credentials'],
      ]),
    );
    const leaked = secrets
      .filter(([table, col]) =>
        (sqlite.prepare(`select name from pragma_table_info(?)`).all(table) as { name: string }[]).some(
          (c) => c.name === col,
        ),
      )
      .map(([table, col]) => `${table}.${col}`);
    expect(leaked).toEqual([]);
  });

  it('committed 0001_replica_tables.sql is what `npm run gen:sqlite` writes', (ctx) => {
    const files = sqliteMigrationFiles();
    expect(files[0]).toBe('0001_replica_tables.sql');
    // Later files that only add sync_ tables or indexes leave the domain tables as 0001 made them. Once one
    // creates, alters or drops a domain table, 0001 is frozen history and only the table_info comparison applies.
    const domainTableDdl = new RegExp(
      `\\b(create|alter|drop)\\s+table\\s+(if\\s+(not\\s+)?exists\\s+)?"?(${SYNCED_TABLES.map((t) => t.name).join('|')})"?[\\s(;]`,
      'i',
    );
    const changing = files
      .slice(1)
      .filter((f) => domainTableDdl.test(fs.readFileSync(path.join(SQLITE_MIGRATIONS_DIR, f), 'utf8')));
    ctx.skip(
      changing.length > 0,
      `${changing.join(', ')} change domain tables: 0001 is frozen and the definitions have moved on, ` +
        'so only the table_info comparison above applies',
    );
    const committed = fs.readFileSync(path.join(SQLITE_MIGRATIONS_DIR, files[0]!), 'utf8').replace(/\r\n/g, '\n');
    expect(
      committed,
      'migrations/sqlite/0001_replica_tables.sql differs from sqliteReplicaDdl(): while unreleased, regenerate it ' +
        '(npm run gen:sqlite -- --force); after release, put the change in a new numbered migration',
    ).toBe(sqliteReplicaDdl());
  });

  it('committed 0005_local_overlays.sql is what `npm run gen:sqlite` writes', () => {
    const committed = fs
      .readFileSync(path.join(SQLITE_MIGRATIONS_DIR, '0005_local_overlays.sql'), 'utf8')
      .replace(/\r\n/g, '\n');
    expect(
      committed,
      'migrations/sqlite/0005_local_overlays.sql differs from sqliteOverlayDdl(): while unreleased, regenerate it ' +
        '(npm run gen:sqlite -- --force); after release, put the change in a new numbered migration',
    ).toBe(sqliteOverlayDdl());
  });
});
