/** The gateway end to end: demo data, the real shape service, and the official client with tokens. */
import { Shape, ShapeStream, type Row } from '@electric-sql/client';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicColumnNames } from '../../../shared/schema/table.js';
import { SYNCED_TABLES, properties } from '../../../shared/schema/tables.js';
import { DEMO_PASSWORD } from '../seed/demo-data.js';
import { loadDemo } from '../seed/load.js';
import { startShapeService, type RunningShapeService } from '../shape-service/service.js';
import { testConfig } from '../shape-service/client-test-support.js';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { startGateway, type RunningGateway } from './server.js';

let db: TestDatabase;
let sql: pg.Client;
let shapes: RunningShapeService;
let gateway: RunningGateway;
const orgs: Record<string, string> = {};
const SECRET = 'shape-service-secret-for-tests';

beforeAll(async () => {
  db = await createTestDatabase('migrated');
  sql = await connect(db.url);
  await loadDemo(sql, { seed: 11, anchor: new Date('2026-06-01T00:00:00Z') });
  for (const r of (await sql.query<{ id: string; slug: string }>('select id, slug from organizations')).rows)
    orgs[r.slug] = r.id;
  shapes = await startShapeService(testConfig(db.url, makeTempDir('gw-shapes'), { secret: SECRET }));
  gateway = await startGateway({
    databaseUrl: db.url,
    jwtSecret: new TextEncoder().encode('a-test-jwt-secret-that-is-long-enough-123'),
    upstream: { url: shapes.url, secret: SECRET },
    port: 0,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await shapes?.stop();
  await sql?.end();
  await db?.drop();
});

async function login(email: string): Promise<string> {
  const res = await fetch(`${gateway.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

function open(token: string, params: Record<string, string>): Shape {
  const stream = new ShapeStream({
    url: `${gateway.url}/v1/shape`,
    params: params as never,
    headers: { Authorization: `Bearer ${token}` },
  });
  return new Shape(stream);
}

const rowsOf = async (slug: string, table: string, column = 'organization_id') =>
  (await sql.query(`select count(*)::int as n from ${table} where ${column} = $1`, [orgs[slug]])).rows[0].n as number;

describe('gateway shapes', () => {
  it('syncs every synced table for a technician: exactly their organization, never a secret column', async () => {
    const token = await login('tech@northwind.test');
    for (const t of SYNCED_TABLES) {
      const shape = open(token, { table: t.name });
      const rows = await shape.rows;
      expect(rows.length, t.name).toBe(await rowsOf('northwind', t.name, t.scope));
      for (const r of rows) {
        expect(r[t.scope], t.name).toBe(orgs.northwind);
        expect(Object.keys(r).sort(), t.name).toEqual(publicColumnNames(t).sort());
      }
      shape.unsubscribeAll();
    }
  });

  it('a client where-clause narrows, and cannot widen, the shape', async () => {
    const token = await login('admin@contoso.test');
    const narrowed = open(token, { table: 'devices', where: "status = 'faulty'" });
    const rows = await narrowed.rows;
    expect(rows.every((r) => r.status === 'faulty' && r.organization_id === orgs.contoso)).toBe(true);
    narrowed.unsubscribeAll();
    const widened = open(token, { table: 'devices', where: 'true or true' });
    expect((await widened.rows).length).toBe(await rowsOf('contoso', 'devices'));
    widened.unsubscribeAll();
  });

  it('live changes arrive through the gateway, and only to the right organization', async () => {
    const tech = await login('tech@northwind.test');
    const other = await login('tech@contoso.test');
    const mine = open(tech, { table: 'accounts' });
    const theirs = open(other, { table: 'accounts' });
    await Promise.all([mine.rows, theirs.rows]);
    await sql.query(
      `update accounts set notes = 'gateway live test' where id = (select id from accounts where organization_id = $1 limit 1)`,
      [orgs.northwind],
    );
    await new Promise<void>((resolve) => {
      const check = (rows: Row[]) => rows.some((r) => r.notes === 'gateway live test') && resolve();
      check(mine.currentRows);
      mine.subscribe(({ rows }) => check(rows));
    });
    expect(theirs.currentRows.some((r) => r.notes === 'gateway live test')).toBe(false);
    mine.unsubscribeAll();
    theirs.unsubscribeAll();
  });

  it('refuses what it must, with JSON errors', async () => {
    const token = await login('tech@northwind.test');
    const get = async (query: string, auth: string | null = token) => {
      const res = await fetch(`${gateway.url}/v1/shape?offset=-1&${query}`, {
        headers: auth ? { authorization: `Bearer ${auth}` } : {},
      });
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    expect((await get('table=tasks', null)).status).toBe(401);
    expect((await get('table=tasks', 'not.a.token')).status).toBe(401);
    expect(await get('table=schema_migrations')).toMatchObject({
      status: 403,
      body: { error: { code: 'table_not_synced' } },
    });
    expect(await get('table=properties&columns=id,access_codes')).toMatchObject({
      status: 403,
      body: { error: { code: 'column_not_allowed' } },
    });
    expect(await get("table=properties&where=access_codes like 'A%'")).toMatchObject({ status: 403 });
    expect((await get(`table=tasks&organization_id=${orgs.contoso}`)).status).toBe(403);
    expect((await get('table=tasks&where=id in (select id from tasks)')).status).toBe(400);
    expect(properties.columns.access_codes!.secret).toBe(true);
  });

  it('marks responses private: the URL a client sees does not carry its organization filter', async () => {
    const token = await login('tech@northwind.test');
    const res = await fetch(`${gateway.url}/v1/shape?table=tasks&offset=-1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(res.headers.get('vary')).toBe('authorization');
    expect(res.headers.get('electric-handle')).toBeTruthy();
    await res.arrayBuffer();
  });
});
