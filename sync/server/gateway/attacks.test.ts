/**
 * Attacks on the gateway's shape route that must fail closed: every refusal is a 4xx with the JSON
 * envelope `{error: {code, message}}`, and no answer — refused or served — ever carries a row of
 * another organization. The attacker is a Northwind technician (or nobody at all); the victim is
 * Contoso. "Another organization's row" is checked two ways: the served rows' scope column, and a
 * scan of every response body for the primary key of any Contoso row of any synced table.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { Shape, ShapeStream, type Message, type Row } from '@electric-sql/client';
import { SignJWT } from 'jose';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicColumnNames, type TableDef } from '../../../shared/schema/table.js';
import { SYNCED_TABLES, tableByName } from '../../../shared/schema/tables.js';
import { hashPassword } from '../auth/password.js';
import { DEMO_PASSWORD } from '../seed/demo-data.js';
import { loadDemo } from '../seed/load.js';
import { stringify, testConfig, waitFor } from '../shape-service/client-test-support.js';
import { startShapeService, type RunningShapeService } from '../shape-service/service.js';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { issueAccessToken } from './auth/tokens.js';
import { startGateway, type RunningGateway } from './server.js';

const JWT_SECRET = new TextEncoder().encode('attacks-test-jwt-secret-that-is-long-enough-0123');
const SHAPE_SECRET = 'attacks-test-shape-service-secret';

let db: TestDatabase;
let sql: pg.Client;
let shapes: RunningShapeService;
let gateway: RunningGateway;
const orgs: Record<string, string> = {};
const userIds: Record<string, string> = {};
/** Primary keys of every Contoso row of every synced table (the organization's own id included). */
const contosoKeys = new Set<string>();
/** Northwind's row count per table. */
const northwindCount: Record<string, number> = {};
let tech: string; // tech@northwind.test's access token
let contosoAdmin: string;
const opened: ShapeStream[] = [];

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
const table = (name: string): TableDef => tableByName(name)!;

beforeAll(async () => {
  db = await createTestDatabase('migrated');
  sql = await connect(db.url);
  const loaded = await loadDemo(sql, { seed: 23, anchor: new Date('2026-06-01T00:00:00Z') });
  if (!loaded.loaded) throw new Error(loaded.reason);
  for (const u of loaded.users) userIds[u.email] = u.id;
  for (const r of (await sql.query<{ id: string; slug: string }>('select id, slug from organizations')).rows)
    orgs[r.slug] = r.id;
  for (const t of SYNCED_TABLES) {
    const { rows } = await sql.query<{ id: string }>(`select id::text from ${q(t.name)} where ${q(t.scope)} = $1`, [
      orgs.contoso,
    ]);
    for (const r of rows) contosoKeys.add(r.id);
    northwindCount[t.name] = Number(
      (await sql.query(`select count(*) from ${q(t.name)} where ${q(t.scope)} = $1`, [orgs.northwind])).rows[0].count,
    );
  }
  shapes = await startShapeService(testConfig(db.url, makeTempDir('gw-attacks'), { secret: SHAPE_SECRET }));
  gateway = await startGateway({
    databaseUrl: db.url,
    jwtSecret: JWT_SECRET,
    upstream: { url: shapes.url, secret: SHAPE_SECRET },
    port: 0,
  });
  tech = await login('tech@northwind.test');
  contosoAdmin = await login('admin@contoso.test');
});

afterAll(async () => {
  for (const s of opened) s.unsubscribeAll();
  await gateway?.stop();
  await shapes?.stop();
  await sql?.end();
  await db?.drop();
});

type LoginBody = { access_token: string; refresh_token: string };

async function loginFull(email: string): Promise<LoginBody> {
  const res = await fetch(`${gateway.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  expect(res.status, `login ${email}`).toBe(200);
  return (await res.json()) as LoginBody;
}
const login = async (email: string) => (await loginFull(email)).access_token;

type Answer = { status: number; headers: Headers; text: string; elapsedMs: number };

/** GET /v1/shape with `query` (a string is used verbatim), as `token` (null: no Authorization header). */
async function shapeGet(
  query: string | Record<string, string> | [string, string][],
  token: string | null = tech,
  headers: Record<string, string> = {},
  base = `${gateway.url}/v1/shape`,
): Promise<Answer> {
  const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  const started = Date.now();
  const res = await fetch(`${base}?${search}`, {
    headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, elapsedMs: Date.now() - started };
}

/**
 * Reads a shape from the start to up-to-date (following the chunked log with handle and offset) and
 * returns every answer's messages as one Answer. `query` must not contain `offset`.
 */
async function readShape(query: string | Record<string, string>, token: string | null = tech): Promise<Answer> {
  const base = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  let a = await shapeGet(`${base}&offset=-1`, token);
  const messages: unknown[] = [];
  for (let pages = 0; a.status === 200; pages++) {
    messages.push(...(JSON.parse(a.text) as unknown[]));
    if (a.headers.get('electric-up-to-date') !== null) break;
    if (pages > 1_000) throw new Error('the shape never became up to date');
    const next = new URLSearchParams({
      handle: a.headers.get('electric-handle')!,
      offset: a.headers.get('electric-offset')!,
    });
    a = await shapeGet(`${base}&${next}`, token);
  }
  return a.status === 200 ? { ...a, text: JSON.stringify(messages) } : a;
}

/** No Contoso primary key anywhere in the body (served rows, error messages, headers alike). */
function expectNoContosoRows(a: Answer, what: string): void {
  const leaked = [...contosoKeys].filter((k) => k !== orgs.contoso && a.text.includes(k));
  expect(leaked, `${what}: Contoso rows in the response`).toEqual([]);
  expect(a.headers.get('electric-handle') ?? '', what).not.toMatch(new RegExp(orgs.contoso!));
}

/** A refusal: 4xx, JSON `{error: {code, message}}`, and nothing of Contoso's. */
function expectRefused(a: Answer, what: string, statuses?: number[]): string {
  expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBeLessThan(500);
  if (statuses) expect(statuses, `${what}: status ${a.status} ${a.text.slice(0, 300)}`).toContain(a.status);
  expect(a.headers.get('content-type') ?? '', what).toMatch(/^application\/json/);
  const body = JSON.parse(a.text) as { error?: { code?: unknown; message?: unknown } };
  expect(body, `${what}: ${a.text.slice(0, 300)}`).toEqual({
    error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) },
  });
  expect((body.error!.message as string).length, what).toBeGreaterThan(0);
  expectNoContosoRows(a, what);
  return body.error!.code as string;
}

type ChangeMessage = Extract<Message<Row>, { key: string }>;

/** A 200 whose rows all belong to `org` and carry only public columns; returns the rows. */
function expectOwnRows(a: Answer, t: TableDef, what: string, org = orgs.northwind!): Row[] {
  expect(a.status, `${what}: ${a.text.slice(0, 300)}`).toBe(200);
  expectNoContosoRows(a, what);
  const messages = JSON.parse(a.text) as Message<Row>[];
  const rows = messages.filter((m): m is ChangeMessage => 'key' in m).map((m) => m.value);
  const visible = new Set(publicColumnNames(t));
  for (const r of rows) {
    if (t.scope in r) expect(r[t.scope], `${what}: row of another organization`).toBe(org);
    else expect(contosoKeys.has(r.id as string), `${what}: row of another organization`).toBe(false);
    for (const k of Object.keys(r)) expect(visible.has(k), `${what}: column ${k} served`).toBe(true);
  }
  return rows;
}

const uuidLiteral = () => `'${crypto.randomUUID()}'`;

describe('tokens that must not open a shape', () => {
  const claimsFor = (email: string, org: string) => ({
    user: { id: userIds[email]!, email },
    grant: {
      sessionId: crypto.randomUUID(),
      organizationId: org,
      organizations: [{ id: org, role: 'admin' as const }],
    },
  });

  it('no token, a malformed header, another scheme, a token in the query string', async () => {
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, null), 'no token', [401]);
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, 'not.a.token'), 'garbage token', [401]);
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1' }, null, { authorization: `Basic ${tech}` }),
      'basic',
      [401],
    );
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, null, { authorization: tech }), 'no scheme', [401]);
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1', access_token: tech }, null),
      'token in the query string',
      [401],
    );
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1' }, null, { cookie: `access_token=${tech}` }),
      'token in a cookie',
      [401],
    );
  });

  it('a token signed with another secret, even for a real user', async () => {
    const { user, grant } = claimsFor('admin@contoso.test', orgs.contoso!);
    const forged = await issueAccessToken(user, grant, new TextEncoder().encode('x'.repeat(48)));
    expect(expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, forged.token), 'forged', [401])).toBe(
      'invalid_token',
    );
  });

  it('an expired token', async () => {
    const { user, grant } = claimsFor('tech@northwind.test', orgs.northwind!);
    const expired = await issueAccessToken(user, grant, JWT_SECRET, {
      now: new Date(Date.now() - 3_600_000),
      ttlSeconds: 900,
    });
    expect(expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, expired.token), 'expired', [401])).toBe(
      'token_expired',
    );
  });

  it('alg=none, and other algorithms than HS256 with the right secret', async () => {
    const { user, grant } = claimsFor('admin@contoso.test', orgs.contoso!);
    const valid = await issueAccessToken(user, grant, JWT_SECRET);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid.claims)}.`;
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, none), 'alg none', [401]);
    const noneUpper = `${b64({ alg: 'None', typ: 'JWT' })}.${b64(valid.claims)}.`;
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, noneUpper), 'alg None', [401]);
    const hs512 = await new SignJWT(valid.claims).setProtectedHeader({ alg: 'HS512' }).sign(JWT_SECRET);
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, hs512), 'HS512', [401]);
    // The valid token's signature on different claims.
    const [, , signature] = valid.token.split('.');
    const spliced = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...valid.claims, sub: userIds['tech@northwind.test'] })}.${signature}`;
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, spliced), 'spliced', [401]);
  });

  it('a correctly signed token whose claims name an organization the user does not belong to', async () => {
    // Defence in depth: even a token minted with the real secret does not grant a membership.
    const { user, grant } = claimsFor('tech@northwind.test', orgs.contoso!);
    const lying = await issueAccessToken(user, grant, JWT_SECRET);
    expect(expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, lying.token), 'org claim', [403])).toBe(
      'not_a_member',
    );
  });

  it('the token of a member who was removed or suspended a moment ago', async () => {
    const id = crypto.randomUUID();
    const email = `leaver-${id.slice(0, 8)}@northwind.test`;
    await sql.query('insert into app.users (id, email, password_hash, display_name) values ($1, $2, $3, $4)', [
      id,
      email,
      await hashPassword(DEMO_PASSWORD),
      'Leaver',
    ]);
    await sql.query(`insert into organization_members (organization_id, user_id, role) values ($1, $2, 'admin')`, [
      orgs.northwind,
      id,
    ]);
    const session = await loginFull(email);
    expectOwnRows(await shapeGet({ table: 'tasks', offset: '-1' }, session.access_token), table('tasks'), 'member');

    await sql.query(`update organization_members set status = 'suspended' where user_id = $1`, [id]);
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1' }, session.access_token), 'suspended', [401, 403]);
    await sql.query(`update organization_members set status = 'active' where user_id = $1`, [id]);
    expectOwnRows(
      await shapeGet({ table: 'tasks', offset: '-1' }, session.access_token),
      table('tasks'),
      'reactivated',
    );

    await sql.query('delete from organization_members where user_id = $1', [id]);
    for (const t of SYNCED_TABLES) {
      expectRefused(
        await shapeGet({ table: t.name, offset: '-1' }, session.access_token),
        `removed: ${t.name}`,
        [401, 403],
      );
    }
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1', organization_id: orgs.contoso! }, session.access_token),
      'removed, naming another organization',
      [401, 403],
    );
    // Nor can the session be refreshed into a new token.
    const refreshed = await fetch(`${gateway.url}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: session.refresh_token }),
    });
    expectRefused(
      { status: refreshed.status, headers: refreshed.headers, text: await refreshed.text(), elapsedMs: 0 },
      'refresh after removal',
      [401, 403],
    );
  });
});

describe('tables outside the synced set', () => {
  // Decision: the gateway serves exactly the synced tables by their bare name. Any other spelling —
  // schema-qualified, quoted, other case, padded — is refused, never resolved to some relation.
  const refused = [
    'app.users',
    'app.refresh_tokens',
    'app.schema_migrations',
    'schema_migrations',
    'pg_catalog.pg_authid',
    'pg_authid',
    'pg_catalog.pg_shadow',
    'information_schema.tables',
    'public.tasks',
    '"tasks"',
    '"public"."tasks"',
    'public."tasks"',
    'TASKS',
    'Tasks',
    ' tasks',
    'tasks ',
    'tasks;',
    'tasks--',
    'tasks,app.users',
    'tasks\u0000',
    '__proto__',
    'constructor',
    'toString',
  ];
  it.each(refused)('table=%j is refused', async (name) => {
    const a = await shapeGet({ table: name, offset: '-1' });
    expect(expectRefused(a, name, [403])).toBe('table_not_synced');
  });

  it('no table, an empty table, a nested table parameter', async () => {
    expectRefused(await shapeGet({ offset: '-1' }), 'no table', [400]);
    expectRefused(await shapeGet({ table: '', offset: '-1' }), 'empty table', [400, 403]);
    expectRefused(await shapeGet('table[x]=app.users&offset=-1'), 'table[x]', [400, 403]);
  });

  it('a repeated or nested table parameter never reaches another relation', async () => {
    // The gateway reads the first `table` and replaces every other spelling upstream.
    const a = await readShape('table=tasks&table=app.users');
    expect(expectOwnRows(a, table('tasks'), 'tasks then app.users').length).toBe(northwindCount.tasks);
    expectRefused(await shapeGet('table=app.users&table=tasks&offset=-1'), 'app.users then tasks', [403]);
    const nested = await readShape('table=tasks&table[0]=app.users');
    expect(expectOwnRows(nested, table('tasks'), 'table[0]').length).toBe(northwindCount.tasks);
  });
});

describe('where-clause tricks', () => {
  const tasks = () => table('tasks');

  // Each is either refused (a 4xx envelope) or, when it is one valid boolean expression over the
  // table, served — and then it is ANDed after the organization filter, so every one of these that is
  // served evaluates to true and must return exactly Northwind's rows: never more, never Contoso's.
  const REFUSED = 'refused';
  const SERVED = 'served';
  const tricks: [label: string, where: string, outcome: typeof REFUSED | typeof SERVED][] = [
    ['OR true', 'true OR true', SERVED],
    ['OR 1=1', "status = 'open' OR 1=1", SERVED],
    ['OR organization_id is not null', 'organization_id IS NOT NULL OR true', SERVED],
    ['parentheses escape', '1=1) OR (1=1', REFUSED],
    ['parentheses escape with a comment', 'true) OR true --', REFUSED],
    ['closing paren only', 'true)', REFUSED],
    ['opening paren only', '(true', REFUSED],
    ['unbalanced nesting', '((true) OR (true)', REFUSED],
    ['line comment', 'true --', SERVED],
    ['line comment swallowing the filter', 'false OR true -- ) and organization_id = $1', SERVED],
    ['block comment', 'true /* comment */', SERVED],
    ['unterminated block comment', 'true /*', REFUSED],
    ['unterminated block comment after OR', 'false OR true /* ', REFUSED],
    ['block comment hiding a paren', 'true /* ) OR (true */', SERVED],
    ['nested block comments', 'true /* /* */ ) OR true OR ( */', SERVED],
    ['nested block comment left open', 'true /* /* */ ) OR true OR ( /* */', REFUSED],
    ['closing a block comment that was never opened', 'true */ OR true', REFUSED],
    ['semicolon', 'true; select * from tasks', REFUSED],
    ['trailing semicolon', 'true;', REFUSED],
    ['semicolon and comment', 'true; --', REFUSED],
    ['stacked update', "true; update tasks set title = 'x'", REFUSED],
    ['subquery in IN', 'id IN (SELECT id FROM tasks)', REFUSED],
    ['exists subquery', 'EXISTS (SELECT 1 FROM app.users)', REFUSED],
    [
      'scalar subquery on organizations',
      "organization_id = (SELECT id FROM organizations WHERE slug = 'contoso')",
      REFUSED,
    ],
    ['subquery on refresh tokens', '(SELECT count(*) FROM app.refresh_tokens) > 0', REFUSED],
    ['union', 'true UNION SELECT 1', REFUSED],
    ['order by after the clause', 'true ORDER BY 1', REFUSED],
    ['limit after the clause', 'true LIMIT 1', REFUSED],
    ['pg_sleep', 'pg_sleep(5) IS NOT NULL', REFUSED],
    ['pg_sleep cast', "pg_sleep(5)::text = ''", REFUSED],
    ['pg_sleep in a subquery', '(SELECT pg_sleep(5)) IS NULL', REFUSED],
    ['current_setting', "current_setting('is_superuser') = 'on'", REFUSED],
    ['set_config', "set_config('role', 'postgres', false) = 'postgres'", REFUSED],
    ['pg_read_file', "pg_read_file('/etc/passwd') <> ''", REFUSED],
    ['system column ctid', 'ctid IS NOT NULL', REFUSED],
    ['system column xmin', "xmin::text <> ''", REFUSED],
    ['system column tableoid', 'tableoid > 0', REFUSED],
    ['whole-row reference', 'tasks IS NOT NULL', REFUSED],
    ['qualified column', 'tasks.organization_id IS NOT NULL', REFUSED],
    ['column of another table', 'organizations.id IS NOT NULL', REFUSED],
    ['dollar-quoted string', 'title <> $$x$$ OR true', SERVED],
    ['escape string', "title <> E'\\'' OR true", SERVED],
    ['star', '*', REFUSED],
    ['empty parentheses', '()', REFUSED],
    ['only a comment', '-- nothing', REFUSED],
    ['NUL byte', 'true\u0000 OR true', REFUSED],
  ];
  it.each(tricks)('%s', async (label, where, outcome) => {
    if (outcome === REFUSED) {
      const a = await shapeGet({ table: 'tasks', offset: '-1', where });
      expect(a.elapsedMs, `${label}: answered at once`).toBeLessThan(3_000);
      expectRefused(a, label, [400, 403]);
    } else {
      expect(expectOwnRows(await readShape({ table: 'tasks', where }), tasks(), label).length, label).toBe(
        northwindCount.tasks,
      );
    }
  });

  it('an IN list of 10 000 items, and a 100 kB where, are refused as too large', async () => {
    const huge = `id IN (${Array.from({ length: 10_000 }, uuidLiteral).join(', ')})`;
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1', where: huge }), '10 000 items', [414, 431]);
    const long = `title <> '${'x'.repeat(100_000)}'`;
    expectRefused(await shapeGet({ table: 'tasks', offset: '-1', where: long }), '100 kB where', [414, 431]);
  });

  it('an IN list that fits in the URL is still filtered', async () => {
    const contosoTasks = (
      await sql.query<{ id: string }>('select id::text from tasks where organization_id = $1 limit 50', [orgs.contoso])
    ).rows.map((r) => `'${r.id}'`);
    const ours = (
      await sql.query<{ id: string }>('select id::text from tasks where organization_id = $1 limit 50', [
        orgs.northwind,
      ])
    ).rows.map((r) => `'${r.id}'`);
    const a = await readShape({ table: 'tasks', where: `id IN (${[...contosoTasks, ...ours].join(',')})` });
    expect(expectOwnRows(a, tasks(), 'mixed IN list').length).toBe(ours.length);
  });

  it('a where over 4 000 characters that fits in the URL is refused', async () => {
    const a = await shapeGet({ table: 'tasks', offset: '-1', where: `title <> '${'y'.repeat(5_000)}'` });
    expectRefused(a, 'long where', [400]);
  });

  it('a Unicode-escaped identifier cannot reach a secret column', async () => {
    const a = await shapeGet({ table: 'properties', offset: '-1', where: 'U&"\\0061ccess_codes" IS NOT NULL' });
    expectRefused(a, 'U& identifier', [400, 403]);
  });
});

describe("another organization's id in every parameter", () => {
  it('organization_id=<other> is refused; a garbage or empty one too', async () => {
    for (const t of SYNCED_TABLES) {
      const code = expectRefused(
        await shapeGet({ table: t.name, offset: '-1', organization_id: orgs.contoso! }),
        `${t.name} organization_id`,
        [403],
      );
      expect(code).toBe('not_a_member');
    }
    for (const value of [crypto.randomUUID(), 'not-a-uuid', '', ' ', `${orgs.northwind}' or '1'='1`]) {
      const a = await shapeGet({ table: 'tasks', offset: '-1', organization_id: value });
      if (a.status === 200) expectOwnRows(a, table('tasks'), `organization_id=${JSON.stringify(value)}`);
      else expectRefused(a, `organization_id=${JSON.stringify(value)}`, [400, 403]);
    }
  });

  it('a repeated organization_id: the first decides, and the other organization is never served', async () => {
    const ownFirst = await readShape(`table=tasks&organization_id=${orgs.northwind}&organization_id=${orgs.contoso}`);
    expect(expectOwnRows(ownFirst, table('tasks'), 'own first').length).toBe(northwindCount.tasks);
    expectRefused(
      await shapeGet(`table=tasks&offset=-1&organization_id=${orgs.contoso}&organization_id=${orgs.northwind}`),
      'other first',
      [403],
    );
  });

  it.each(SYNCED_TABLES.map((t) => [t.name]))(
    '%s: a where on the scope column with the other id only narrows, to nothing',
    async (name) => {
      const t = table(name);
      const scope = q(t.scope);
      const cases: [string, Record<string, string>][] = [
        [`${scope} = '${orgs.contoso}'`, {}],
        [`${scope} = $1`, { 'params[1]': orgs.contoso! }],
        [`${scope} = $1::uuid`, { 'params[1]': orgs.contoso! }],
        [`${scope} IN ($1, $2)`, { 'params[1]': orgs.contoso!, 'params[2]': crypto.randomUUID() }],
        [`${scope} <> $1`, { 'params[1]': orgs.northwind! }],
        [`${scope} = $1 OR ${scope} = $2`, { 'params[1]': orgs.contoso!, 'params[2]': orgs.contoso! }],
        [`${scope}::text LIKE $1`, { 'params[1]': `${orgs.contoso!.slice(0, 8)}%` }],
      ];
      for (const [where, params] of cases) {
        const a = await shapeGet({ table: name, offset: '-1', where, ...params });
        if (a.status === 200) expect(expectOwnRows(a, t, where), where).toEqual([]);
        else expectRefused(a, where, [400, 403]);
      }
      // Naming both organizations returns Northwind's rows only.
      const both = await readShape({
        table: name,
        where: `${scope} IN ($1, $2)`,
        'params[1]': orgs.contoso!,
        'params[2]': orgs.northwind!,
      });
      expect(expectOwnRows(both, t, 'both').length).toBe(northwindCount[name]);
    },
  );

  it("params cannot address the gateway's own parameter, and are always bound", async () => {
    // The gateway appends its organization as the next parameter ($2 here): referring to it is refused.
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1', where: 'organization_id = $2', 'params[1]': orgs.contoso! }),
      '$2 with one param',
      [400],
    );
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1', where: 'organization_id = $1 OR true' }),
      '$1 without params',
      [400],
    );
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1', where: 'true', 'params[2]': orgs.contoso! }),
      'params with a gap',
      [400],
    );
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1', where: 'true', 'params[0]': orgs.contoso! }),
      'params[0]',
      [400],
    );
    expectRefused(await shapeGet('table=tasks&offset=-1&where=true&params[1][x]=1'), 'nested params', [400]);
    expectRefused(
      await shapeGet({ table: 'tasks', offset: '-1', 'params[1]': orgs.contoso! }),
      'params without where',
      [400],
    );
    // An injection attempt in a parameter is a value, not SQL.
    const injected = await shapeGet({
      table: 'tasks',
      offset: '-1',
      where: 'title = $1',
      'params[1]': "x' OR '1'='1",
    });
    expect(expectOwnRows(injected, table('tasks'), 'injected param')).toEqual([]);
    // A plain `params` value goes nowhere either.
    const plain = await readShape(`table=tasks&params=${encodeURIComponent(JSON.stringify({ 1: orgs.contoso }))}`);
    if (plain.status === 200)
      expect(expectOwnRows(plain, table('tasks'), 'plain params').length).toBe(northwindCount.tasks);
    else expectRefused(plain, 'plain params', [400]);
    // Unused params (allowed, as in Electric) change nothing.
    const unused = await readShape({ table: 'tasks', where: 'true', 'params[1]': orgs.contoso! });
    expect(expectOwnRows(unused, table('tasks'), 'unused param').length).toBe(northwindCount.tasks);
  });

  it('many params are fine as long as the URL is small, and filtered', async () => {
    const many: Record<string, string> = { table: 'tasks', offset: '-1', where: 'title <> $300' };
    for (let i = 1; i <= 300; i++) many[`params[${i}]`] = i % 2 ? orgs.contoso! : 'x';
    const a = await shapeGet(many);
    // 300 uuids make the URL longer than 8 KB.
    expectRefused(a, '300 params', [414]);
    const fewer: Record<string, string> = { table: 'tasks', where: 'title <> $100' };
    for (let i = 1; i <= 100; i++) fewer[`params[${i}]`] = String(i);
    const b = await readShape(fewer);
    expect(expectOwnRows(b, table('tasks'), '100 params').length).toBe(northwindCount.tasks);
  });
});

describe("another user's shape handle", () => {
  it("a Contoso shape's handle and offset with a Northwind token: 409 to its own shape, never Contoso rows", async () => {
    const theirs = await shapeGet({ table: 'tasks', offset: '-1' }, contosoAdmin);
    expect(theirs.status).toBe(200);
    const handle = theirs.headers.get('electric-handle')!;
    const offset = theirs.headers.get('electric-offset')!;
    expect(handle).toBeTruthy();
    expect(theirs.text).toContain(orgs.contoso); // the victim's own shape really holds Contoso rows

    const extras: Record<string, string>[] = [{}, { live: 'true' }, { live: 'true', cursor: '1' }];
    for (const extra of extras) {
      const a = await shapeGet({ table: 'tasks', handle, offset, ...extra });
      expect(a.status, `${JSON.stringify(extra)} ${a.text.slice(0, 200)}`).toBe(409);
      expectNoContosoRows(a, 'stolen handle');
      expect(a.headers.get('electric-handle')).toBeTruthy();
      expect(a.headers.get('electric-handle')).not.toBe(handle);
      expect(a.text).not.toContain(orgs.contoso);
    }
    // From the start of the log, with a handle: the handle is ignored and the shape is Northwind's.
    const first = await shapeGet({ table: 'tasks', handle, offset: '-1' });
    expect(first.headers.get('electric-handle')).not.toBe(handle);
    expectOwnRows(first, table('tasks'), 'offset -1 with handle');
    const fromStart = await readShape({ table: 'tasks', handle });
    expect(expectOwnRows(fromStart, table('tasks'), 'offset -1 with handle').length).toBe(northwindCount.tasks);
    // An offset inside the Contoso log with a narrowed where: still another shape, still 409.
    const narrowed = await shapeGet({ table: 'tasks', handle, offset, where: 'true' });
    expect(narrowed.status).toBe(409);
    expectNoContosoRows(narrowed, 'narrowed');

    // The official client given the stolen handle and offset ends up with Northwind's rows only.
    const stream = new ShapeStream({
      url: `${gateway.url}/v1/shape`,
      params: { table: 'tasks' },
      handle,
      offset: offset as `${number}_${number}`,
      headers: { Authorization: `Bearer ${tech}` },
      backoffOptions: { initialDelay: 50, maxDelay: 200, multiplier: 1.5 },
    });
    opened.push(stream);
    const messages: Message<Row>[] = [];
    stream.subscribe((batch) => void messages.push(...batch));
    const shape = new Shape(stream);
    const rows = await waitFor(
      () => (shape.isUpToDate && shape.currentRows.length === northwindCount.tasks ? shape.currentRows : undefined),
      15_000,
      () => `rows ${shape.currentRows.length}`,
    );
    expect(rows!.every((r) => r.organization_id === orgs.northwind)).toBe(true);
    for (const m of messages) if ('key' in m) expect(m.value.organization_id).toBe(orgs.northwind);
    stream.unsubscribeAll();
  });
});

describe('secret columns', () => {
  const secrets = SYNCED_TABLES.flatMap((t) =>
    Object.entries(t.columns)
      .filter(([, c]) => c.secret)
      .map(([name]) => [t.name, name] as const),
  );

  it('there are secret columns to protect', () => {
    expect(secrets.length).toBeGreaterThan(0);
  });

  it.each(secrets)('%s.%s cannot be selected through columns, in any spelling', async (tname, column) => {
    const upper = column.toUpperCase();
    const mixed = column[0]!.toUpperCase() + column.slice(1);
    for (const columns of [
      column,
      `id,${column}`,
      `id,"${column}"`,
      `"id","${column}"`,
      upper,
      `id,${upper}`,
      `id,${mixed}`,
      `id,"${upper}"`,
      `id,"${mixed}"`,
      `id, ${column}`,
      `id,${column},id`,
      `id,"${column}"""`,
      `id,U&"${column}"`,
      '*',
      'id,*',
      `${tname}.${column}`,
      `id,"${tname}"."${column}"`,
    ]) {
      const a = await shapeGet({ table: tname, offset: '-1', columns });
      expectRefused(a, `columns=${columns}`, [400, 403]);
      expect(a.text).not.toMatch(new RegExp(`"${column}"\\s*:`));
    }
  });

  it.each(secrets)('%s.%s cannot be read through where, in any spelling', async (tname, column) => {
    const upper = column.toUpperCase();
    for (const where of [
      `${column} IS NOT NULL`,
      `"${column}" IS NOT NULL`,
      `${upper} IS NOT NULL`,
      `${column} LIKE 'A%'`,
      `coalesce(${column}, '') <> ''`,
      `length(${column}) > 3`,
      `${column} = $1`,
      `lower(${column}) = lower(${column})`,
      `true OR ${column} IS NULL`,
    ]) {
      const a = await shapeGet({ table: tname, offset: '-1', where, 'params[1]': 'x' });
      expectRefused(a, `where ${where}`, [400, 403]);
    }
    // A quoted name of another case is another (missing) column: refused too.
    expectRefused(
      await shapeGet({ table: tname, offset: '-1', where: `"${upper}" IS NOT NULL` }),
      `"${upper}"`,
      [400, 403],
    );
  });

  it('a served shape never carries a secret column, whatever the request', async () => {
    for (const [tname, column] of secrets) {
      const queries: Record<string, string>[] = [{}, { replica: 'full' }, { columns: 'id' }, { where: 'true' }];
      for (const query of queries) {
        const a = await readShape({ table: tname, ...query });
        expect(expectOwnRows(a, table(tname), `${tname} ${JSON.stringify(query)}`).length).toBe(northwindCount[tname]);
        expect(a.text).not.toMatch(new RegExp(`"${column}"\\s*:`));
        expect(a.headers.get('electric-schema') ?? '').not.toContain(column);
      }
    }
  });
});

describe('oversized and unsupported requests', () => {
  it('a URL over 8 KB is refused with 414', async () => {
    for (const size of [8_300, 12_000, 15_000, 17_000, 40_000, 200_000]) {
      const a = await shapeGet({ table: 'tasks', offset: '-1', padding: 'p'.repeat(size) });
      expectRefused(a, `URL of ${size}`, [414]);
      const noToken = await shapeGet({ table: 'tasks', offset: '-1', padding: 'p'.repeat(size) }, null);
      expectRefused(noToken, `URL of ${size} without a token`, [401, 414]);
    }
  });

  it('headers beyond what the server parses, and broken HTTP, get the JSON envelope too', async () => {
    const big = await shapeGet({ table: 'tasks', offset: '-1' }, tech, { 'x-padding': 'h'.repeat(20_000) });
    expectRefused(big, '20 kB header', [431]);
    const hugeToken = await shapeGet({ table: 'tasks', offset: '-1' }, `${tech}${'a'.repeat(40_000)}`);
    expectRefused(hugeToken, '40 kB token', [431]);
    const { port } = new URL(gateway.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        socket.write('GET /v1/shape?table=tasks HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(JSON.parse(body)).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
  });

  it('subset snapshots are not served', async () => {
    for (const query of [
      'subset__where=true',
      'subset__limit=10',
      'subset__order_by=id',
      `subset__params=${encodeURIComponent(JSON.stringify({ 1: orgs.contoso }))}`,
      `subset__where=organization_id%20%3D%20%241&subset__params%5B1%5D=${orgs.contoso}`,
      `subset%5F%5Fwhere=true`,
    ]) {
      expectRefused(await shapeGet(`table=tasks&offset=-1&${query}`), query, [400]);
    }
  });

  it('service secrets in the query are the gateway’s business, not the client’s', async () => {
    for (const query of ['secret=wrong', 'api_secret=wrong', `secret=${SHAPE_SECRET}`, 'secret=']) {
      const a = await readShape(`table=tasks&${query}`);
      expect(expectOwnRows(a, table('tasks'), query).length).toBe(northwindCount.tasks);
    }
  });
});

describe('replica=full and log=changes_only are filtered too', () => {
  it('a live stream with replica=full or log=changes_only sees its own changes only', async () => {
    const open = (params: Record<string, string>, log?: 'changes_only') => {
      const stream = new ShapeStream({
        url: `${gateway.url}/v1/shape`,
        params: { table: 'tasks', ...params } as never,
        ...(log ? { log } : {}),
        headers: { Authorization: `Bearer ${tech}` },
        backoffOptions: { initialDelay: 50, maxDelay: 200, multiplier: 1.5 },
      });
      opened.push(stream);
      const messages: Message<Row>[] = [];
      stream.subscribe((batch) => void messages.push(...batch));
      return { stream, messages };
    };
    const streams = [
      { name: 'replica=full', ...open({ replica: 'full' }) },
      { name: 'log=changes_only', ...open({}, 'changes_only') },
      {
        name: 'log=changes_only replica=full, where OR true',
        ...open({ replica: 'full', where: 'true OR true' }, 'changes_only'),
      },
    ];
    await waitFor(() => streams.every((s) => s.stream.isUpToDate), 15_000);
    const marker = `attack-${crypto.randomBytes(4).toString('hex')}`;
    // Contoso first, then Northwind: once Northwind's change is in, Contoso's would have been too.
    await sql.query(`update tasks set notes = $1 where organization_id = $2`, [marker, orgs.contoso]);
    await sql.query(
      `insert into tasks (organization_id, property_id, title, notes)
       select organization_id, id, 'attack probe', $1 from properties where organization_id = $2 limit 1`,
      [marker, orgs.contoso],
    );
    await sql.query(
      `update tasks set notes = $1 where id = (select id from tasks where organization_id = $2 limit 1)`,
      [marker, orgs.northwind],
    );
    for (const s of streams) {
      await waitFor(
        () => s.messages.some((m) => 'key' in m && m.value.notes === marker),
        15_000,
        () => s.name,
      );
      const changes = s.messages.filter((m): m is ChangeMessage => 'key' in m);
      for (const m of changes) {
        expect(m.value.organization_id ?? orgs.northwind, s.name).toBe(orgs.northwind);
        expect(contosoKeys.has(m.key.replace(/^.*\/"(.*)"$/, '$1')), s.name).toBe(false);
      }
      const marked = changes.filter((m) => m.value.notes === marker);
      expect(marked.length, s.name).toBe(1);
      if (s.name.includes('replica=full')) {
        // Full rows: every public column, never a secret one, and the organization is ours.
        expect(Object.keys(marked[0]!.value).sort()).toEqual(publicColumnNames(table('tasks')).sort());
      }
      const text = stringify(s.messages);
      expect(text).not.toContain(orgs.contoso);
      s.stream.unsubscribeAll();
    }
  });
});

describe('the shape service behind the gateway', () => {
  it('serves nothing without the service secret', async () => {
    const direct = `${shapes.url}/v1/shape`;
    for (const query of [
      'table=tasks&offset=-1',
      'table=tasks&offset=-1&secret=',
      'table=tasks&offset=-1&secret=wrong',
      'table=tasks&offset=-1&api_secret=wrong',
      `table=tasks&offset=-1&secret=${SHAPE_SECRET.toUpperCase()}`,
      `table=tasks&offset=-1&secret=${SHAPE_SECRET}x`,
      'table=app.users&offset=-1',
      `table=tasks&offset=-1&where=organization_id%20%3D%20'${orgs.contoso}'`,
    ]) {
      const a = await shapeGet(query, null, {}, direct);
      expect(a.status, query).toBe(401);
      expect(a.text).not.toContain(orgs.contoso);
      expectNoContosoRows(a, query);
      // Not even with a user's access token: the service knows nothing of users.
      const withToken = await shapeGet(query, contosoAdmin, {}, direct);
      expect(withToken.status, `${query} with a token`).toBe(401);
    }
    // The secret is what makes the difference.
    const ok = await shapeGet(`table=tasks&offset=-1&secret=${SHAPE_SECRET}`, null, {}, direct);
    expect(ok.status).toBe(200);
  });
});
