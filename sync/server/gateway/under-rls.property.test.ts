/**
 * "Under RLS", as a property (DESIGN.md, Authorization): for every user and every synced table, the
 * rows that user's shapes deliver through the gateway — materialised by the official client's
 * `Shape` — equal, by primary key and by every public column's value, the rows
 * `SELECT <public columns>` returns in Postgres as that user under row-level security (`asUser`,
 * the `authenticated` role with the claims of the user's own access token).
 *
 * A user with several active memberships holds one shape per organization (`organization_id`);
 * together they must equal the RLS result, each one holding exactly that organization's part.
 * A membership that ends (removed, suspended, moved away) must close its shapes: the user's shape
 * requests for that organization are refused with a 401/403 JSON error, and the live stream that
 * was open is refused on its next request.
 *
 * Each run starts from a fresh migrated database with small random data (2–3 organizations, a few
 * users with random roles and statuses, a handful of rows per table, every composite foreign key
 * respected — the graph is read from the catalog, not written down here), checks, then applies
 * random steps as the operator and checks after each: inserts, updates, moves of rows and of whole
 * subtrees between organizations, deletes (with their cascades), and membership changes. Shapes
 * are opened for a random subset of (user, table) pairs and stay open across the run; across all
 * runs every synced table is covered (asserted at the end).
 *
 * UNDER_RLS_SEED=<n> replays a run (the seed is printed on failure); UNDER_RLS_RUNS=<n> makes it longer.
 */
import { FetchError, Shape, ShapeStream, type Row } from '@electric-sql/client';
import fc from 'fast-check';
import pg, { type CustomTypesConfig } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnDef } from '../../../shared/schema/columns.js';
import { ROLES, type Role } from '../../../shared/schema/roles.js';
import { primaryKey, publicColumnNames, type TableDef } from '../../../shared/schema/table.js';
import { SYNCED_TABLES, tableByName } from '../../../shared/schema/tables.js';
import { hashPassword } from '../auth/password.js';
import { asUser } from '../db/as-user.js';
import { DEMO_PASSWORD } from '../seed/demo-data.js';
import { stringify, testConfig } from '../shape-service/client-test-support.js';
import { displaySettingsOptions } from '../shape-service/display-settings.js';
import { startShapeService, type RunningShapeService } from '../shape-service/service.js';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { type AccessTokenClaims, verifyAccessToken } from './auth/tokens.js';
import { startGateway, type RunningGateway } from './server.js';

const RUNS = Number(process.env.UNDER_RLS_RUNS ?? 6);
const SEED = process.env.UNDER_RLS_SEED !== undefined ? Number(process.env.UNDER_RLS_SEED) : undefined;
/** How long shapes get to converge after a step before the difference is reported. */
const CONVERGE_MS = 8_000;
/** How long an open stream of an ended membership gets to hit its refusal (one long poll, 3 s, and change). */
const REFUSAL_MS = 8_000;
const JWT_SECRET = new TextEncoder().encode('under-rls-property-test-jwt-secret-0123456789');
const SHAPE_SECRET = 'under-rls-property-test-shape-secret';
const TABLE_NAMES = SYNCED_TABLES.map((t) => t.name);

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
/** node-postgres's parser for text[] (OID 1009), to read Postgres's array output independently of the client. */
const textArrayParser = (pg.types.getTypeParser as (oid: number) => (v: string) => unknown[])(1009);

let passwordHash: string;
/** Every foreign key between the synced tables and to app.users, read from the catalog. */
let FKS: Fk[] = [];
const coveredTables = new Set<string>();
const stepKindsRun = new Set<string>();

type Fk = { child: string; cols: string[]; parent: string; refcols: string[] };

beforeAll(async () => {
  passwordHash = await hashPassword(DEMO_PASSWORD);
  const db = await createTestDatabase('migrated');
  const c = await connect(db.url);
  try {
    const { rows } = await c.query<Fk>(`
      select conrelid::regclass::text as child, confrelid::regclass::text as parent,
        (select array_agg(a.attname::text order by k.i) from unnest(conkey) with ordinality k(n, i)
           join pg_attribute a on a.attrelid = conrelid and a.attnum = k.n) as cols,
        (select array_agg(a.attname::text order by k.i) from unnest(confkey) with ordinality k(n, i)
           join pg_attribute a on a.attrelid = confrelid and a.attnum = k.n) as refcols
      from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace`);
    FKS = rows;
  } finally {
    await c.end();
    await db.drop();
  }
});

/** Composite references to another tenant table: `(organization_id, col) → parent (organization_id, refcol)`. */
const tenantFks = (table: string) =>
  FKS.filter((f) => f.child === table && f.cols.length === 2 && f.cols[0] === 'organization_id').map((f) => ({
    col: f.cols[1]!,
    parent: f.parent,
    refcol: f.refcols[1]!,
  }));
/** Columns referencing app.users. */
const userFkCols = (table: string) =>
  new Set(FKS.filter((f) => f.child === table && f.parent === 'app.users').map((f) => f.cols[0]!));

// ---------------------------------------------------------------------------------------------
// Seeded randomness: every choice inside a run comes from fast-check-generated seeds.

type Rng = ReturnType<typeof rng>;
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const hex = (n: number) => Array.from({ length: n }, () => int(0, 15).toString(16)).join('');
  return {
    next,
    int,
    hex,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    uuid: () => {
      const h = hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[int(0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`;
    },
  };
}

const TEXTS = [
  'Alpha',
  'Main St 1',
  "O'Brien & Sons",
  'quote "double"',
  'ünïcødé ✓ 日本',
  'comma, separated',
  'back\\slash',
  'tab\there',
  'line\nbreak',
  '  padded  ',
  '$1',
  '%_like',
  'NULL',
];
const JSONS: unknown[] = [
  {},
  { a: 1 },
  { nested: { k: 'v', list: [1, 'two', null, true] } },
  { quote: 'it\'s "q"', ключ: 'значение' },
  { num: 1.5e300, neg: -0.25, big: 12345678901234567000 },
  [1, 2, 3],
  'a string',
  42,
];
const ARRAYS: unknown[][] = [
  [],
  ['a'],
  ['with space', 'comma,inside'],
  ['quote"d', 'back\\slash', '{braces}'],
  ['NULL', 'null', ''],
  ['ünï'],
  // Not ['x', null]: the official client refuses a NULL element in a NOT NULL array column
  // (ParserNullValueError) and the stream stops — a client limitation, with real Electric too.
];

function timestamp(r: Rng): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const micros = r.chance(0.3) ? '' : `.${pad(r.int(0, 999_999), 6)}`;
  return `${r.pick([1999, 2025, 2026, 2026, 2100])}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}T${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}${micros}Z`;
}

/** A random value for a plain (non-key, non-reference) column, within its CHECK constraints. */
function randomValue(name: string, c: ColumnDef, r: Rng): unknown {
  if (c.nullable && r.chance(0.2)) return null;
  if (c.values) return r.pick(c.values);
  switch (name) {
    case 'slug':
      return `org-${r.hex(10)}`;
    case 'country_code':
      return r.pick(['US', 'CA', 'DE', 'GB']);
    case 'latitude':
      return r.pick([47.6062, -33.8688, 0, 89.999999, r.next() * 180 - 90]);
    case 'longitude':
      return r.pick([-122.3321, 151.2093, 0, 179.5, r.next() * 360 - 180]);
    case 'mime_type':
      return r.pick(['image/jpeg', 'application/pdf', 'text/plain']);
    case 'checksum_sha256':
      return r.hex(64);
    case 'storage_key':
      return `files/${r.hex(16)}`;
    case 'serial_number':
      return `SN-${r.hex(10)}`;
    case 'account_number':
      return `AC-${r.hex(8)}`;
    case 'email':
    case 'billing_email':
      return `${r.pick(['ops', 'x.y', "o'brien"])}+${r.hex(4)}@example.test`;
    case 'timezone':
      return r.pick(['UTC', 'Europe/Berlin', 'America/Los_Angeles']);
  }
  switch (c.kind) {
    case 'text':
      return c.nullable ? r.pick([...TEXTS, '']) : r.pick(TEXTS);
    case 'integer':
      return r.int(1, 100_000);
    case 'bigint':
      return r.pick(['0', '1', '9007199254740993', '4611686018427387904', String(r.int(0, 1e9))]);
    case 'double':
      return r.next() * 100;
    case 'boolean':
      return r.chance(0.5);
    case 'timestamptz':
      return timestamp(r);
    case 'date':
      return timestamp(r).slice(0, 10);
    case 'jsonb':
      return r.pick(JSONS);
    case 'inet':
      return r.pick(['10.0.0.1', '192.168.1.0/24', '2001:db8::1', '::ffff:1.2.3.4']);
    case 'macaddr':
      return r.pick(['08:00:2b:01:02:03', 'aa:bb:cc:dd:ee:ff']);
    case 'textArray':
      return r.pick(ARRAYS);
    case 'uuid':
      return r.uuid();
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison: both sides reduced to one canonical string per column.

/** JSON with object keys sorted, so two equal JSON values print the same. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** A value as Postgres prints it (under the shape service's display settings). */
function fromPostgres(c: ColumnDef, v: string | null): string | null {
  if (v === null) return null;
  switch (c.kind) {
    case 'integer':
    case 'double':
      return `n:${Number(v)}`;
    case 'bigint':
      return `b:${BigInt(v)}`;
    case 'boolean':
      return `bool:${v === 't' || v === 'true'}`;
    case 'jsonb':
      return `j:${stable(JSON.parse(v))}`;
    case 'textArray':
      return `a:${JSON.stringify(textArrayParser(v))}`;
    default:
      return `s:${v}`;
  }
}

/** A value as the official client parsed it. */
function fromShape(c: ColumnDef, v: unknown): string | null {
  if (v === null) return null;
  const wrong = () => `unexpected ${typeof v} ${stringify(v)}`;
  switch (c.kind) {
    case 'integer':
    case 'double':
      return typeof v === 'number' ? `n:${v}` : wrong();
    case 'bigint':
      return typeof v === 'bigint' ? `b:${v}` : wrong();
    case 'boolean':
      return typeof v === 'boolean' ? `bool:${v}` : wrong();
    case 'jsonb':
      return `j:${stable(v)}`;
    case 'textArray':
      return Array.isArray(v) ? `a:${JSON.stringify(v)}` : wrong();
    default:
      return typeof v === 'string' ? `s:${v}` : wrong();
  }
}

type Canon = Map<string, string>; // primary key → canonical row text

function canonFromShape(t: TableDef, rows: readonly Row[]): Canon {
  const cols = publicColumnNames(t);
  const out: Canon = new Map();
  for (const row of rows) {
    const keys = Object.keys(row).sort();
    const values = cols.map((c) => [c, c in row ? fromShape(t.columns[c]!, row[c]) : 'missing'] as const);
    const extra = keys.filter((k) => !cols.includes(k));
    out.set(
      primaryKey(t)
        .map((k) => String(row[k]))
        .join('|'),
      stringify([...values, ...extra.map((k) => [k, 'NOT PUBLIC'])]),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One run's world: database, shape service, gateway, users, open shapes.

type User = { id: string; email: string; token: string; claims: AccessTokenClaims; active: string };

type LiveShape = {
  key: string;
  user: User;
  /** The access token the stream sends. */
  token: string;
  org: string;
  table: TableDef;
  shape: Shape;
  errors: unknown[];
  close(): void;
};

type Env = {
  db: TestDatabase;
  /** Operator connection: arranges data behind the API's back. */
  sql: pg.Client;
  /** Connection for the RLS oracle: values as text, with the shape service's display settings. */
  raw: pg.Client;
  shapes: RunningShapeService;
  gateway: RunningGateway;
  users: User[];
  pairs: { user: User; table: TableDef }[];
  live: Map<string, LiveShape>;
  log: string[];
};

type World = {
  orgs: number;
  members: { org: number; role: Role; status: 'active' | 'suspended'; second: number | null; secondRole: Role }[];
  dataSeed: number;
  pairs: { table: number; user: number }[];
};

async function orgIds(env: Env): Promise<string[]> {
  return (await env.sql.query<{ id: string }>('select id::text from organizations order by id')).rows.map((r) => r.id);
}

async function activeOrgs(env: Env, userId: string): Promise<string[]> {
  const { rows } = await env.sql.query<{ id: string }>(
    `select organization_id::text as id from organization_members where user_id = $1 and status = 'active' order by 1`,
    [userId],
  );
  return rows.map((r) => r.id);
}

type Outcome = { status: number; text: string; contentType: string };

async function postLogin(env: Env, email: string): Promise<Outcome> {
  const res = await fetch(`${env.gateway.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

function expectJsonError(o: Outcome, statuses: number[], what: string): string {
  expect(statuses, `${what}: ${o.status} ${o.text.slice(0, 300)}`).toContain(o.status);
  expect(o.contentType, what).toMatch(/^application\/json/);
  const body = JSON.parse(o.text) as { error: { code: string; message: string } };
  expect(body, what).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  return body.error.code;
}

/** Signs the user in again when their set of active memberships changed (or for the first time). */
async function refreshLogins(env: Env): Promise<void> {
  for (const u of env.users) {
    const active = (await activeOrgs(env, u.id)).join(',');
    if (active === u.active && u.token) continue;
    u.active = active;
    if (active === '') {
      // Nobody signs in without an active membership; the old token stays with the user (and is refused).
      const o = await postLogin(env, u.email);
      expect(expectJsonError(o, [403], `login of ${u.email} without membership`)).toBe('no_membership');
      if (!u.token) throw new Error(`${u.email} never had an active membership`);
      continue;
    }
    await signIn(env, u);
  }
}

async function signIn(env: Env, u: User): Promise<void> {
  const o = await postLogin(env, u.email);
  expect(o.status, `login ${u.email}: ${o.text}`).toBe(200);
  u.token = (JSON.parse(o.text) as { access_token: string }).access_token;
  u.claims = await verifyAccessToken(u.token, JWT_SECRET);
  env.log.push(`  login ${u.email} (active in ${u.active || 'no organization'})`);
}

async function parentKeys(env: Env, parent: string, refcol: string, org: string): Promise<string[]> {
  const { rows } = await env.sql.query<{ k: string }>(
    `select distinct ${q(refcol)}::text as k from ${q(parent)} where organization_id = $1 order by 1`,
    [org],
  );
  return rows.map((r) => r.k);
}

/** A random row for `t` in `org` (a new organization for `organizations`), or undefined when a required parent is missing. */
async function randomRow(env: Env, t: TableDef, org: string, r: Rng): Promise<Record<string, unknown> | undefined> {
  const row: Record<string, unknown> = {};
  const refs = new Map(tenantFks(t.name).map((f) => [f.col, f]));
  const userCols = userFkCols(t.name);
  for (const [name, c] of Object.entries(t.columns)) {
    if (c.serverOwned) continue;
    if (name === 'id') row.id = r.uuid();
    else if (name === t.scope) row[name] = org;
    else if (refs.has(name)) {
      const f = refs.get(name)!;
      const keys = await parentKeys(env, f.parent, f.refcol, org);
      if (c.nullable && (!keys.length || r.chance(0.25))) row[name] = null;
      else if (!keys.length) return undefined;
      else row[name] = r.pick(keys);
    } else if (userCols.has(name)) {
      row[name] = c.nullable && r.chance(0.3) ? null : r.pick(env.users).id;
    } else if (c.hasDefault && r.chance(0.2)) {
      // left to the column default
    } else row[name] = randomValue(name, c, r);
  }
  return row;
}

/** Runs `fn` in a savepoint; a unique or foreign-key violation rolls it back and returns false. */
async function attempt(env: Env, fn: () => Promise<unknown>): Promise<boolean> {
  await env.sql.query('savepoint attempt');
  try {
    await fn();
    await env.sql.query('release savepoint attempt');
    return true;
  } catch (e) {
    const code = (e as { code?: string }).code;
    await env.sql.query('rollback to savepoint attempt');
    if (code === '23505' || code === '23503') return false;
    throw e;
  }
}

async function insertRow(env: Env, t: TableDef, row: Record<string, unknown>): Promise<boolean> {
  const cols = Object.keys(row).map(q).join(', ');
  return attempt(env, () =>
    env.sql.query(
      `insert into ${q(t.name)} (${cols}) select ${cols} from jsonb_populate_record(null::${q(t.name)}, $1)`,
      [JSON.stringify(row)],
    ),
  );
}

async function inTransaction(env: Env, fn: () => Promise<void>): Promise<void> {
  await env.sql.query('begin');
  try {
    await fn();
    await env.sql.query('commit');
  } catch (e) {
    await env.sql.query('rollback');
    throw e;
  }
}

const tenantTables = () => SYNCED_TABLES.filter((t) => t.scope === 'organization_id');

async function randomRowId(env: Env, t: TableDef, r: Rng): Promise<{ id: string; org: string } | undefined> {
  const { rows } = await env.sql.query<{ id: string; org: string }>(
    `select id::text, ${q(t.scope)}::text as org from ${q(t.name)} order by id`,
  );
  return rows.length ? r.pick(rows) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Setup of one run.

async function setUp(world: World): Promise<Env> {
  const db = await createTestDatabase('migrated');
  const sql = await connect(db.url);
  const raw = new pg.Client({
    connectionString: db.url,
    options: displaySettingsOptions(),
    types: { getTypeParser: (() => (v: string) => v) as unknown as CustomTypesConfig['getTypeParser'] },
  });
  await raw.connect();
  const env: Env = {
    db,
    sql,
    raw,
    shapes: undefined as unknown as RunningShapeService,
    gateway: undefined as unknown as RunningGateway,
    users: [],
    pairs: [],
    live: new Map(),
    log: [],
  };
  const r = rng(world.dataSeed);
  await inTransaction(env, async () => {
    const orgs: string[] = [];
    for (let i = 0; i < world.orgs; i++) {
      const row = (await randomRow(env, tableByName('organizations')!, '', r))!;
      row.name = `Org ${i} ${r.pick(TEXTS)}`;
      expect(await insertRow(env, tableByName('organizations')!, row)).toBe(true);
      orgs.push(row.id as string);
    }
    // Users with one or two memberships, random roles, some suspended.
    for (const [i, m] of world.members.entries()) {
      const id = r.uuid();
      const email = `u${i}-${r.hex(6)}@rls.test`;
      await sql.query('insert into app.users (id, email, password_hash, display_name) values ($1, $2, $3, $4)', [
        id,
        email,
        passwordHash,
        `User ${i}`,
      ]);
      env.users.push({ id, email, token: '', claims: undefined as unknown as AccessTokenClaims, active: '' });
      const memberships: [string, Role, string][] = [[orgs[m.org % orgs.length]!, m.role, m.status]];
      if (m.second !== null && m.second % orgs.length !== m.org % orgs.length)
        memberships.push([orgs[m.second % orgs.length]!, m.secondRole, 'active']);
      for (const [org, role, status] of memberships) {
        await sql.query(
          'insert into organization_members (organization_id, user_id, role, status) values ($1, $2, $3, $4)',
          [org, id, role, status],
        );
      }
    }
    // Everybody must be able to sign in once: the first user of each run is active somewhere.
    await sql.query(`update organization_members set status = 'active' where user_id = $1`, [env.users[0]!.id]);
    // A handful of rows per table and organization, parents first.
    for (const t of SYNCED_TABLES) {
      if (t.name === 'organizations' || t.name === 'organization_members') continue;
      for (const org of orgs) {
        for (let n = r.int(1, 3); n > 0; n--) {
          const row = await randomRow(env, t, org, r);
          if (row) await insertRow(env, t, row);
        }
      }
    }
  });
  env.shapes = await startShapeService(testConfig(db.url, makeTempDir('under-rls'), { secret: SHAPE_SECRET }));
  env.gateway = await startGateway({
    databaseUrl: db.url,
    jwtSecret: JWT_SECRET,
    upstream: { url: env.shapes.url, secret: SHAPE_SECRET },
    port: 0,
  });
  // Users who are suspended everywhere keep trying; give them a token while they were active.
  for (const u of env.users) {
    if (!(await activeOrgs(env, u.id)).length) {
      const suspended = await sql.query<{ organization_id: string }>(
        'select organization_id::text from organization_members where user_id = $1 limit 1',
        [u.id],
      );
      const org = suspended.rows[0]!.organization_id;
      await sql.query(`update organization_members set status = 'active' where user_id = $1 and organization_id = $2`, [
        u.id,
        org,
      ]);
      u.active = org;
      await signIn(env, u);
      await sql.query(
        `update organization_members set status = 'suspended' where user_id = $1 and organization_id = $2`,
        [u.id, org],
      );
    }
  }
  await refreshLogins(env);

  // The pairs this run watches: its random ones plus tables earlier runs have not covered yet.
  const forced = TABLE_NAMES.filter((n) => !coveredTables.has(n)).slice(0, Math.ceil(TABLE_NAMES.length / RUNS));
  const pairs = new Map<string, { user: User; table: TableDef }>();
  const add = (table: TableDef, user: User) => pairs.set(`${user.email}/${table.name}`, { user, table });
  for (const p of world.pairs)
    add(SYNCED_TABLES[p.table % SYNCED_TABLES.length]!, env.users[p.user % env.users.length]!);
  for (const name of forced) add(tableByName(name)!, r.pick(env.users));
  env.pairs = [...pairs.values()];
  for (const p of env.pairs) coveredTables.add(p.table.name);
  env.log.push(
    `world: ${world.orgs} orgs, users ${env.users.map((u) => `${u.email}[${u.active}]`).join(' ')}`,
    `pairs: ${env.pairs.map((p) => `${p.user.email}/${p.table.name}`).join(' ')}`,
  );
  return env;
}

async function tearDown(env: Env | undefined): Promise<void> {
  if (!env) return;
  for (const s of env.live.values()) s.close();
  await env.gateway?.stop();
  await env.shapes?.stop();
  await env.raw.end();
  await env.sql.end();
  await env.db.drop();
}

function openShape(env: Env, user: User, org: string, table: TableDef): LiveShape {
  const errors: unknown[] = [];
  const abort = new AbortController();
  const stream = new ShapeStream({
    url: `${env.gateway.url}/v1/shape`,
    params: { table: table.name, organization_id: org } as never,
    headers: { Authorization: `Bearer ${user.token}` },
    signal: abort.signal,
    backoffOptions: { initialDelay: 50, maxDelay: 300, multiplier: 1.5 },
    // Record and stop: a refusal must stay a refusal.
    onError: (e) => void errors.push(e),
  });
  const shape = new Shape(stream);
  return {
    key: `${user.email}/${org}/${table.name}`,
    user,
    token: user.token,
    org,
    table,
    shape,
    errors,
    close() {
      shape.unsubscribeAll();
      stream.unsubscribeAll();
      abort.abort();
    },
  };
}

const refusal = (e: unknown) => e instanceof FetchError && (e.status === 401 || e.status === 403);

// ---------------------------------------------------------------------------------------------
// The check.

/** The RLS oracle: SELECT of the public columns as the user, grouped by organization. */
async function underRls(env: Env, user: User, t: TableDef): Promise<Map<string, Canon>> {
  const cols = publicColumnNames(t);
  const rows = await asUser(env.raw, user.claims, async (c) => {
    const res = await c.query<Record<string, string | null>>(`select ${cols.map(q).join(', ')} from ${q(t.name)}`);
    return res.rows;
  });
  const out = new Map<string, Canon>();
  for (const row of rows) {
    const org = row[t.scope]!;
    if (!out.has(org)) out.set(org, new Map());
    const values = cols.map((c) => [c, fromPostgres(t.columns[c]!, row[c] ?? null)] as const);
    out.get(org)!.set(
      primaryKey(t)
        .map((k) => row[k])
        .join('|'),
      stringify(values),
    );
  }
  return out;
}

function diff(want: Canon, got: Canon): string[] {
  const lines: string[] = [];
  for (const [k, v] of want) {
    if (!got.has(k)) lines.push(`    missing ${k}: ${v}`);
    else if (got.get(k) !== v) lines.push(`    differs ${k}:\n      postgres ${v}\n      shape    ${got.get(k)}`);
  }
  for (const [k, v] of got) if (!want.has(k)) lines.push(`    extra   ${k}: ${v}`);
  return lines;
}

async function check(env: Env, label: string): Promise<void> {
  type Expectation = { live: LiveShape; want: Canon };
  const expectations: Expectation[] = [];
  const ended: LiveShape[] = [];
  const problems: string[] = [];
  for (const { user, table } of env.pairs) {
    const active = await activeOrgs(env, user.id);
    const rls = await underRls(env, user, table);
    for (const org of rls.keys())
      if (!active.includes(org))
        problems.push(`RLS shows ${user.email} ${table.name} rows of ${org}, not a membership`);
    for (const org of active) {
      const key = `${user.email}/${org}/${table.name}`;
      if (!env.live.has(key)) env.live.set(key, openShape(env, user, org, table));
      expectations.push({ live: env.live.get(key)!, want: rls.get(org) ?? new Map() });
    }
    for (const s of env.live.values())
      if (s.user === user && s.table === table && !active.includes(s.org) && !ended.includes(s)) ended.push(s);
  }

  // Ended memberships: a fresh request is refused, and so is the open stream's next request.
  for (const s of ended) {
    // With the token the stream was opened with, and with the user's newest one.
    for (const token of new Set([s.token, s.user.token])) {
      const res = await fetch(
        `${env.gateway.url}/v1/shape?${new URLSearchParams({ table: s.table.name, offset: '-1', organization_id: s.org })}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expectJsonError(
        { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' },
        [401, 403],
        `${label}: ${s.key} after the membership ended`,
      );
    }
  }
  const refusedBy = Date.now() + REFUSAL_MS;

  const deadline = Date.now() + CONVERGE_MS;
  let mismatches: string[] = [];
  for (;;) {
    mismatches = [];
    for (const { live, want } of expectations) {
      if (live.errors.length) {
        mismatches.push(`${live.key}: stream failed: ${String(live.errors[0])}`);
        continue;
      }
      const got = canonFromShape(live.table, live.shape.currentRows);
      const d = diff(want, got);
      if (!live.shape.isUpToDate || d.length)
        mismatches.push(
          `${live.key}${live.shape.isUpToDate ? '' : ' (not up to date)'}: ${want.size} rows under RLS, ${got.size} in the shape\n${d.slice(0, 8).join('\n')}`,
        );
    }
    if (!mismatches.length || Date.now() > deadline || expectations.some((e) => e.live.errors.length)) break;
    await new Promise((res) => setTimeout(res, 25));
  }
  for (const s of ended) {
    while (!s.errors.some(refusal) && Date.now() < refusedBy) {
      if (s.errors.length) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    if (!s.errors.some(refusal))
      problems.push(`${s.key}: the open stream was not refused after the membership ended (${String(s.errors[0])})`);
    s.close();
    env.live.delete(s.key);
  }
  if (problems.length || mismatches.length) {
    throw new Error(
      `${label}: shapes differ from SELECT under RLS\n${[...problems, ...mismatches].join('\n')}\n--- steps ---\n${env.log.slice(-40).join('\n')}`,
    );
  }
  env.log.push(`  ok: ${expectations.length} shapes equal, ${ended.length} ended memberships refused`);
}

// ---------------------------------------------------------------------------------------------
// Steps, each applied by the operator (superuser) in one transaction.

const STEP_KINDS = ['insert', 'update', 'move', 'subtree', 'delete', 'membership'] as const;
type StepKind = (typeof STEP_KINDS)[number];
type Step = { kind: StepKind; seed: number };

async function applyStep(env: Env, step: Step): Promise<string> {
  const r = rng(step.seed);
  const notes: string[] = [];
  await inTransaction(env, async () => {
    const orgs = await orgIds(env);
    switch (step.kind) {
      case 'insert': {
        for (let n = r.int(1, 3), tries = 0; n > 0 && tries < 20; tries++) {
          const t = r.pick(SYNCED_TABLES);
          const row = await randomRow(env, t, r.pick(orgs), r);
          if (row && (await insertRow(env, t, row))) {
            notes.push(`insert ${t.name} ${row.id} org ${t.name === 'organizations' ? row.id : row.organization_id}`);
            n--;
          }
        }
        break;
      }
      case 'update': {
        for (let n = r.int(1, 3), tries = 0; n > 0 && tries < 20; tries++) {
          const t = r.pick(SYNCED_TABLES);
          const target = await randomRowId(env, t, r);
          if (!target) continue;
          const refs = new Set(tenantFks(t.name).map((f) => f.col));
          const userCols = userFkCols(t.name);
          const candidates = Object.entries(t.columns).filter(
            ([name, c]) => !c.primaryKey && !c.serverOwned && name !== t.scope && !refs.has(name),
          );
          const chosen = [...new Set(Array.from({ length: r.int(1, 3) }, () => r.pick(candidates)))];
          const values: Record<string, unknown> = {};
          for (const [name, c] of chosen)
            values[name] = userCols.has(name)
              ? c.nullable && r.chance(0.3)
                ? null
                : r.pick(env.users).id
              : randomValue(name, c, r);
          const set = Object.keys(values)
            .map((c) => `${q(c)} = v.${q(c)}`)
            .join(', ');
          const ok = await attempt(env, () =>
            env.sql.query(
              `update ${q(t.name)} set ${set} from jsonb_populate_record(null::${q(t.name)}, $1) v where ${q(t.name)}.id = $2`,
              [JSON.stringify(values), target.id],
            ),
          );
          if (ok) {
            notes.push(`update ${t.name} ${target.id} ${stringify(values)}`);
            n--;
          }
        }
        break;
      }
      case 'move': {
        // One row into another organization, its own references re-pointed there. Rows something
        // else points at cannot move alone (no ON UPDATE CASCADE): those are the subtree step's.
        for (let tries = 0; tries < 25; tries++) {
          const t = r.pick(tenantTables());
          const row = await randomRowId(env, t, r);
          if (!row) continue;
          const to = r.pick(orgs.filter((o) => o !== row.org));
          const set = await repoint(env, t, to, r);
          if (!set) continue;
          const ok = await attempt(env, () =>
            env.sql.query(`update ${q(t.name)} set organization_id = $1${set.sql} where id = $2`, [
              to,
              row.id,
              ...set.values,
            ]),
          );
          if (ok) {
            notes.push(`move ${t.name} ${row.id} ${row.org} → ${to}`);
            break;
          }
        }
        break;
      }
      case 'subtree': {
        for (let tries = 0; tries < 10 && !notes.length; tries++) {
          const roots = tenantTables().filter((t) => FKS.some((f) => f.parent === t.name && f.refcols[1] === 'id'));
          const t = r.pick(roots);
          const row = await randomRowId(env, t, r);
          if (!row) continue;
          const moved = await moveSubtree(env, t, row, r.pick(orgs.filter((o) => o !== row.org)), r);
          if (moved) notes.push(moved);
        }
        break;
      }
      case 'delete': {
        for (let n = r.int(1, 2), tries = 0; n > 0 && tries < 20; tries++) {
          const t = r.pick(orgs.length > 2 && r.chance(0.1) ? SYNCED_TABLES : tenantTables());
          const row = await randomRowId(env, t, r);
          if (!row) continue;
          if (await attempt(env, () => env.sql.query(`delete from ${q(t.name)} where id = $1`, [row.id]))) {
            notes.push(`delete ${t.name} ${row.id} (org ${row.org})`);
            n--;
          }
        }
        break;
      }
      case 'membership': {
        notes.push(await changeMembership(env, r, orgs));
        break;
      }
    }
  });
  return `${step.kind} (seed ${step.seed}): ${notes.join('; ') || 'nothing applicable'}`;
}

/** `, col = $3, …` re-pointing `t`'s references into organization `to`; undefined if a required parent is missing there. */
async function repoint(
  env: Env,
  t: TableDef,
  to: string,
  r: Rng,
  keep: (col: string) => boolean = () => false,
): Promise<{ sql: string; values: unknown[] } | undefined> {
  let sql = '';
  const values: unknown[] = [];
  for (const f of tenantFks(t.name)) {
    if (keep(f.col)) continue;
    const keys = await parentKeys(env, f.parent, f.refcol, to);
    const nullable = t.columns[f.col]!.nullable;
    let value: string | null;
    if (nullable && (!keys.length || r.chance(0.3))) value = null;
    else if (!keys.length) return undefined;
    else value = r.pick(keys);
    values.push(value);
    sql += `, ${q(f.col)} = $${values.length + 2}`;
  }
  return { sql, values };
}

/**
 * Moves a row and everything that references it (transitively) to organization `to`, in one
 * transaction: the descendants are deleted, the root moved, and the descendants inserted again
 * (same ids and values) in the new organization, their outside references re-pointed there.
 */
async function moveSubtree(
  env: Env,
  root: TableDef,
  row: { id: string; org: string },
  to: string,
  r: Rng,
): Promise<string | undefined> {
  const rows: { t: TableDef; row: Record<string, unknown> }[] = [];
  const seen = new Set<string>([`${root.name}/${row.id}`]);
  const frontier: { t: TableDef; id: string }[] = [{ t: root, id: row.id }];
  while (frontier.length) {
    const { t, id } = frontier.shift()!;
    for (const f of FKS.filter(
      (f) => f.parent === t.name && f.cols[0] === 'organization_id' && f.refcols[1] === 'id',
    )) {
      const child = tableByName(f.child)!;
      const { rows: found } = await env.sql.query<{ r: Record<string, unknown> }>(
        `select to_jsonb(x) as r from ${q(child.name)} x where organization_id = $1 and ${q(f.cols[1]!)} = $2 order by id`,
        [row.org, id],
      );
      for (const { r: c } of found) {
        const key = `${child.name}/${c.id as string}`;
        if (seen.has(key)) continue;
        seen.add(key);
        rows.push({ t: child, row: c });
        frontier.push({ t: child, id: c.id as string });
      }
    }
    if (rows.length > 15) return undefined;
  }
  const order = (t: TableDef) => SYNCED_TABLES.indexOf(t);
  rows.sort((a, b) => order(a.t) - order(b.t));
  const set = await repoint(env, root, to, r);
  if (!set) return undefined;
  await env.sql.query('savepoint subtree');
  try {
    for (const { t, row: c } of [...rows].reverse())
      await env.sql.query(`delete from ${q(t.name)} where id = $1`, [c.id]);
    await env.sql.query(`update ${q(root.name)} set organization_id = $1${set.sql} where id = $2`, [
      to,
      row.id,
      ...set.values,
    ]);
  } catch (e) {
    await env.sql.query('rollback to savepoint subtree');
    if ((e as { code?: string }).code === '23503' || (e as { code?: string }).code === '23505') return undefined;
    throw e;
  }
  const moved = new Set([`${root.name}/${row.id}`]);
  let dropped = 0;
  for (const { t, row: c } of rows) {
    const values: Record<string, unknown> = { ...c, organization_id: to };
    delete values.updated_at;
    delete values.row_version;
    let possible = true;
    for (const f of tenantFks(t.name)) {
      const ref = c[f.col] as string | null;
      if (ref === null || (f.refcol === 'id' && moved.has(`${f.parent}/${ref}`))) continue;
      const keys = await parentKeys(env, f.parent, f.refcol, to);
      if (t.columns[f.col]!.nullable && (!keys.length || r.chance(0.3))) values[f.col] = null;
      else if (keys.length) values[f.col] = r.pick(keys);
      else possible = false;
    }
    if (possible && (await insertRow(env, t, values))) moved.add(`${t.name}/${c.id as string}`);
    else dropped++;
  }
  return `subtree ${root.name} ${row.id} ${row.org} → ${to}: ${moved.size} rows moved (${[...moved].map((k) => k.split('/')[0]).join(', ')}), ${dropped} dropped`;
}

async function changeMembership(env: Env, r: Rng, orgs: string[]): Promise<string> {
  const { rows: all } = await env.sql.query<{ id: string; user_id: string; org: string; status: string }>(
    `select id::text, user_id::text, organization_id::text as org, status from organization_members order by id`,
  );
  const kinds = ['add', 'remove', 'suspend', 'reactivate', 'role'] as const;
  const kind = r.pick(kinds);
  // Mostly the users whose shapes are watched: their streams must follow the change.
  const watched = new Set(env.pairs.map((p) => p.user.id));
  const focus = r.chance(0.8);
  const members = all.filter((m) => !focus || watched.has(m.user_id));
  const active = members.filter((m) => m.status === 'active');
  const suspended = members.filter((m) => m.status === 'suspended');
  const email = (userId: string) => env.users.find((u) => u.id === userId)?.email ?? userId;
  if (kind === 'remove' && members.length) {
    const m = r.pick(members);
    await env.sql.query('delete from organization_members where id = $1', [m.id]);
    return `remove ${email(m.user_id)} from ${m.org}`;
  }
  if (kind === 'suspend' && active.length) {
    const m = r.pick(active);
    await env.sql.query(`update organization_members set status = 'suspended' where id = $1`, [m.id]);
    return `suspend ${email(m.user_id)} in ${m.org}`;
  }
  if (kind === 'reactivate' && suspended.length) {
    const m = r.pick(suspended);
    await env.sql.query(`update organization_members set status = 'active' where id = $1`, [m.id]);
    return `reactivate ${email(m.user_id)} in ${m.org}`;
  }
  if (kind === 'role' && members.length) {
    const m = r.pick(members);
    const role = r.pick(ROLES);
    await env.sql.query('update organization_members set role = $2 where id = $1', [m.id, role]);
    return `role of ${email(m.user_id)} in ${m.org} → ${role}`;
  }
  const options = env.users
    .filter((u) => !focus || watched.has(u.id))
    .flatMap((u) =>
      orgs.filter((o) => !all.some((m) => m.user_id === u.id && m.org === o)).map((o) => [u, o] as const),
    );
  if (!options.length) return 'add: everybody is a member everywhere';
  const [u, org] = r.pick(options);
  await env.sql.query(`insert into organization_members (organization_id, user_id, role) values ($1, $2, $3)`, [
    org,
    u.id,
    r.pick(ROLES),
  ]);
  return `add ${u.email} to ${org}`;
}

// ---------------------------------------------------------------------------------------------
// The property.

const worldArb: fc.Arbitrary<World> = fc.record({
  orgs: fc.integer({ min: 2, max: 3 }),
  members: fc.array(
    fc.record({
      org: fc.nat(),
      role: fc.constantFrom(...ROLES),
      status: fc.constantFrom('active', 'active', 'active', 'suspended'),
      second: fc.option(fc.nat(), { freq: 3 }),
      secondRole: fc.constantFrom(...ROLES),
    }),
    { minLength: 4, maxLength: 7 },
  ),
  dataSeed: fc.integer(),
  pairs: fc.array(fc.record({ table: fc.nat(), user: fc.nat() }), { minLength: 5, maxLength: 9 }),
});

const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(...STEP_KINDS),
  seed: fc.integer(),
});

/** Random steps, always including a move, a subtree move and a membership change, in random order. */
const stepsArb: fc.Arbitrary<Step[]> = fc
  .tuple(fc.array(stepArb, { minLength: 4, maxLength: 7 }), fc.integer(), fc.integer(), fc.integer())
  .chain(([steps, a, b, c]) => {
    const all = [
      ...steps,
      { kind: 'move', seed: a },
      { kind: 'subtree', seed: b },
      { kind: 'membership', seed: c },
    ] as Step[];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });

describe('shapes through the gateway equal SELECT under RLS', () => {
  afterAll(() => {
    // Reported even when a run failed, for the record.
    console.log(
      `under-rls: covered tables ${[...coveredTables].sort().join(', ')}; steps ${[...stepKindsRun].join(', ')}`,
    );
  });

  it('for random data, random users and random steps, on every synced table', async () => {
    const seed = SEED ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
    const started = Date.now();
    const property = fc.asyncProperty(worldArb, stepsArb, async (world, steps) => {
      let env: Env | undefined;
      try {
        env = await setUp(world);
        await check(env, 'initial data');
        for (const [i, step] of steps.entries()) {
          const done = await applyStep(env, step);
          stepKindsRun.add(step.kind);
          env.log.push(`step ${i + 1}: ${done}`);
          await refreshLogins(env);
          await check(env, `after step ${i + 1} (${done})`);
        }
        if (process.env.UNDER_RLS_VERBOSE) console.log(env.log.join('\n'));
      } finally {
        await tearDown(env);
      }
    });
    try {
      await fc.assert(property, { numRuns: RUNS, seed, endOnFailure: true });
    } catch (e) {
      (e as Error).message = `UNDER_RLS_SEED=${seed} replays this.\n${(e as Error).message}`;
      throw e;
    }
    console.log(`under-rls: ${RUNS} runs in ${Date.now() - started} ms (seed ${seed})`);
    // Across the runs, every synced table was watched by somebody, and every kind of step ran.
    expect([...coveredTables].sort()).toEqual([...TABLE_NAMES].sort());
    expect([...stepKindsRun].sort()).toEqual([...STEP_KINDS].sort());
  }, 180_000);
});
