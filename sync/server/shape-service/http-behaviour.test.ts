/**
 * The shape endpoint at the HTTP level, with raw fetch (protocol reference §1, §2, §4, §7, §8, §14):
 * cache-control rules, ETag/304, long-poll wake-up and timeout, live/non-live headers, CORS on
 * every response, OPTIONS, health, routing, out-of-bounds offsets, the long-poll limit, the where
 * length limit, the secret, and DELETE.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { testConfig } from './client-test-support.js';
import { CORS_EXPOSED_HEADERS } from './protocol/headers.js';
import { startShapeService, type RunningShapeService } from './service.js';

const LONG_POLL_MS = 2_000;
const MAX_WHERE = 100;
const SECRET = 's3cret value/+&';

let db: TestDatabase;
let sql: pg.Client;
let service: RunningShapeService;
/** Secret required, DELETE disabled. */
let guarded: RunningShapeService;

beforeAll(async () => {
  db = await createTestDatabase('empty');
  sql = await connect(db.url);
  for (const t of ['items', 'wake', 'idle', 'limits', 'deletable', 'oob', 'etags', 'guarded_t']) {
    await sql.query(`create table ${t} (id int primary key, title text);
      insert into ${t} select g, 'row ' || g from generate_series(1, 3) g`);
  }
  service = await startShapeService(
    testConfig(db.url, makeTempDir('http'), {
      longPollTimeoutMs: LONG_POLL_MS,
      maxLongPolls: 2,
      maxWhereLength: MAX_WHERE,
    }),
  );
  guarded = await startShapeService(
    testConfig(db.url, makeTempDir('http-guarded'), {
      secret: SECRET,
      allowDelete: false,
      longPollTimeoutMs: LONG_POLL_MS,
    }),
  );
});

afterAll(async () => {
  await service?.stop();
  await guarded?.stop();
  await sql?.end();
  await db?.drop();
});

type Got = { status: number; headers: Headers; text: string; ms: number; json(): unknown };

async function request(base: string, path: string, init: RequestInit = {}): Promise<Got> {
  const t0 = Date.now();
  const res = await fetch(base + path, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    ms: Date.now() - t0,
    json: () => JSON.parse(text) as unknown,
  };
}
const get = (path: string, init?: RequestInit) => request(service.url, path, init);

/** Follows a shape from -1 to its head: returns the handle and the head offset. */
async function atHead(table: string, extra = ''): Promise<{ handle: string; offset: string }> {
  const first = await get(`/v1/shape?table=${table}&offset=-1${extra}`);
  expect(first.status).toBe(200);
  const handle = first.headers.get('electric-handle')!;
  let offset = first.headers.get('electric-offset')!;
  for (;;) {
    const next = await get(`/v1/shape?table=${table}&offset=${offset}&handle=${handle}${extra}`);
    expect(next.status).toBe(200);
    offset = next.headers.get('electric-offset')!;
    if (next.headers.has('electric-up-to-date')) return { handle, offset };
  }
}

const exposed = (h: Headers) => (h.get('access-control-expose-headers') ?? '').split(',').map((s) => s.trim());

describe('cache-control, ETag and headers', () => {
  it('follows the reference rules for -1, non-live, live, 409 and 400', async () => {
    const first = await get('/v1/shape?table=items&offset=-1');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe(
      'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746',
    );
    expect(first.headers.has('electric-up-to-date')).toBe(false);
    const handle = first.headers.get('electric-handle')!;

    const nonLive = await get(`/v1/shape?table=items&offset=0_0&handle=${handle}`);
    expect(nonLive.headers.get('cache-control')).toBe('public, max-age=1, stale-while-revalidate=3');
    expect(nonLive.headers.has('electric-up-to-date')).toBe(true);

    await sql.query(`update items set title = 'live' where id = 2`);
    const live = await get(`/v1/shape?table=items&offset=0_inf&handle=${handle}&live=true`);
    expect(live.status).toBe(200);
    expect(live.headers.get('cache-control')).toBe('public, max-age=5, stale-while-revalidate=5');

    const conflict = await get(`/v1/shape?table=items&offset=0_inf&handle=not-a-handle`);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('cache-control')).toBe('public, max-age=60, must-revalidate');
    expect(conflict.headers.get('electric-handle')).toBe(handle);
    expect(conflict.json()).toEqual([{ headers: { control: 'must-refetch' } }]);

    const bad = await get('/v1/shape?table=items&offset=nope');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('cache-control')).toBe('no-store');
    expect(bad.headers.get('surrogate-control')).toBe('no-store');
    expect(bad.json()).toEqual({ message: 'Invalid request', errors: { offset: ['has invalid format'] } });
  });

  it('sends an ETag, and If-None-Match gets 304 with no body', async () => {
    const first = await get('/v1/shape?table=etags&offset=-1');
    const handle = first.headers.get('electric-handle')!;
    const tag = first.headers.get('etag')!;
    expect(tag).toBe(`"${handle}:-1:0_0"`);
    const again = await get('/v1/shape?table=etags&offset=-1', { headers: { 'if-none-match': tag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(tag);

    const second = await get(`/v1/shape?table=etags&offset=0_0&handle=${handle}`);
    const tag2 = second.headers.get('etag')!;
    expect(tag2).toBe(`"${handle}:0_0:0_inf"`);
    // Comma-separated lists and weak validators match too.
    const list = await get(`/v1/shape?table=etags&offset=0_0&handle=${handle}`, {
      headers: { 'if-none-match': `"other", W/${tag2}` },
    });
    expect(list.status).toBe(304);
    expect(list.text).toBe('');
    const other = await get(`/v1/shape?table=etags&offset=0_0&handle=${handle}`, {
      headers: { 'if-none-match': '"x"' },
    });
    expect(other.status).toBe(200);
    expect(JSON.parse(other.text)).toEqual([
      { headers: { control: 'up-to-date', global_last_seen_lsn: expect.any(String) } },
    ]);
  });

  it('live responses carry electric-cursor and no electric-schema; non-live ones the reverse', async () => {
    const { handle, offset } = await atHead('items');
    const nonLive = await get(`/v1/shape?table=items&offset=${offset}&handle=${handle}`);
    expect(nonLive.status).toBe(200);
    expect(JSON.parse(nonLive.headers.get('electric-schema')!)).toEqual({
      id: { type: 'int4', dims: 0, pk_index: 0, not_null: true },
      title: { type: 'text', dims: 0 },
    });
    expect(nonLive.headers.has('electric-cursor')).toBe(false);
    for (const name of ['electric-handle', 'electric-offset', 'electric-server', 'electric-has-data']) {
      expect(nonLive.headers.has(name), name).toBe(true);
    }
    expect(nonLive.headers.get('content-type')).toMatch(/^application\/json/);

    await sql.query(`update items set title = 'cursor' where id = 1`);
    const live = await get(`/v1/shape?table=items&offset=${offset}&handle=${handle}&live=true&cursor=5`);
    expect(live.status).toBe(200);
    expect(live.headers.has('electric-schema')).toBe(false);
    const cursor = live.headers.get('electric-cursor')!;
    expect(cursor).toMatch(/^\d+$/);
    expect(BigInt(cursor)).toBeGreaterThan(5n);
    // A cursor from the future still moves forward.
    const ahead = (BigInt(cursor) + 100_000n).toString();
    await sql.query(`update items set title = 'cursor 2' where id = 1`);
    const live2 = await get(
      `/v1/shape?table=items&offset=${live.headers.get('electric-offset')}&handle=${handle}&live=true&cursor=${ahead}`,
    );
    expect(BigInt(live2.headers.get('electric-cursor')!)).toBeGreaterThan(BigInt(ahead));
  });

  it('offset=now answers up-to-date at the shape head at once, with the schema', async () => {
    const { handle, offset } = await atHead('items');
    const now = await get('/v1/shape?table=items&offset=now');
    expect(now.status).toBe(200);
    expect(now.headers.get('electric-handle')).toBe(handle);
    expect(now.headers.get('electric-offset')).toBe(offset);
    expect(now.headers.get('electric-has-data')).toBe('false');
    expect(now.headers.has('electric-schema')).toBe(true);
    expect(now.json()).toEqual([{ headers: { control: 'up-to-date', global_last_seen_lsn: expect.any(String) } }]);
  });

  it('HEAD gets the headers of GET and no body', async () => {
    const head = await get('/v1/shape?table=items&offset=-1', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.has('electric-handle')).toBe(true);
    expect(head.headers.get('electric-offset')).toBe('0_0');
  });
});

describe('long polling', () => {
  it('returns at once when a change commits while it waits', async () => {
    const { handle, offset } = await atHead('wake');
    const pending = get(`/v1/shape?table=wake&offset=${offset}&handle=${handle}&live=true`);
    await new Promise((r) => setTimeout(r, 300));
    const committedAt = Date.now();
    await sql.query(`insert into wake values (100, 'woke')`);
    const res = await pending;
    const afterCommit = Date.now() - committedAt;
    expect(res.status).toBe(200);
    expect(afterCommit).toBeLessThan(LONG_POLL_MS / 2);
    expect(res.ms).toBeLessThan(LONG_POLL_MS);
    expect(res.headers.get('electric-has-data')).toBe('true');
    expect(res.headers.has('electric-up-to-date')).toBe(true);
    const body = res.json() as { key?: string; value?: unknown; headers: Record<string, unknown> }[];
    expect(body.map((m) => m.key ?? m.headers.control)).toEqual(['"public"."wake"/"100"', 'up-to-date']);
    expect(body[0]!.value).toEqual({ id: '100', title: 'woke' });
    const next = res.headers.get('electric-offset')!;
    expect(next).toMatch(/^[1-9]\d*_0$/);
    expect(body[0]!.headers).toMatchObject({
      operation: 'insert',
      lsn: next.split('_')[0],
      op_position: 0,
      last: true,
    });
    expect(body[1]!.headers.global_last_seen_lsn).toBe(next.split('_')[0]);
  });

  it('after the long-poll timeout returns [up-to-date], has-data false, the same offset and a unique ETag', async () => {
    const { handle, offset } = await atHead('idle');
    const url = `/v1/shape?table=idle&offset=${offset}&handle=${handle}&live=true`;
    const [a, b] = await Promise.all([get(url), get(url)]);
    for (const res of [a, b]) {
      expect(res.status).toBe(200);
      expect(res.ms).toBeGreaterThanOrEqual(LONG_POLL_MS - 50);
      expect(res.ms).toBeLessThan(LONG_POLL_MS + 1_500);
      expect(res.json()).toEqual([{ headers: { control: 'up-to-date', global_last_seen_lsn: expect.any(String) } }]);
      expect(res.headers.get('electric-has-data')).toBe('false');
      expect(res.headers.get('electric-offset')).toBe(offset);
      expect(res.headers.has('electric-up-to-date')).toBe(true);
      expect(res.headers.has('electric-cursor')).toBe(true);
      expect(res.headers.get('cache-control')).toBe('public, max-age=5, stale-while-revalidate=5');
    }
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'));
  });

  it('answers 409 with the new handle when the shape is rotated while a request waits', async () => {
    const { handle, offset } = await atHead('deletable');
    const pending = get(`/v1/shape?table=deletable&offset=${offset}&handle=${handle}&live=true`);
    await new Promise((r) => setTimeout(r, 200));
    expect((await get('/v1/shape?table=deletable', { method: 'DELETE' })).status).toBe(202);
    const res = await pending;
    expect(res.status).toBe(409);
    expect(res.ms).toBeLessThan(LONG_POLL_MS);
    const fresh = res.headers.get('electric-handle')!;
    expect(fresh).not.toBe(handle);
    const refetch = await get(`/v1/shape?table=deletable&offset=-1&handle=${fresh}`);
    expect(refetch.headers.get('electric-handle')).toBe(fresh);
  });

  it('limits concurrent long polls: the third gets 503 with retry-after; aborted ones free their slots', async () => {
    const { handle, offset } = await atHead('limits');
    const url = `${service.url}/v1/shape?table=limits&offset=${offset}&handle=${handle}&live=true`;
    const aborts = [new AbortController(), new AbortController()];
    const held = aborts.map((a) => fetch(url, { signal: a.signal }).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 200));
    const third = await get(url.slice(service.url.length));
    expect(third.status).toBe(503);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.json()).toMatchObject({ code: 'concurrent_request_limit_exceeded' });
    expect(third.headers.get('cache-control')).toBe('no-store');
    // Non-live requests are not limited.
    expect((await get(`/v1/shape?table=limits&offset=${offset}&handle=${handle}`)).status).toBe(200);
    for (const a of aborts) a.abort();
    await Promise.all(held);
    await new Promise((r) => setTimeout(r, 100));
    await sql.query(`insert into limits values (10, 'frees')`);
    const again = await get(url.slice(service.url.length));
    expect(again.status).toBe(200);
  });
});

describe('errors and routing', () => {
  it('an out-of-bounds offset waits half a long poll, then 400 with Electric body', async () => {
    const { handle } = await atHead('oob');
    const res = await get(`/v1/shape?table=oob&offset=99999999999_0&handle=${handle}`);
    expect(res.status).toBe(400);
    expect(res.ms).toBeGreaterThanOrEqual(LONG_POLL_MS / 2 - 50);
    expect(res.json()).toEqual({ message: 'Invalid request', errors: { offset: ['out of bounds for this shape'] } });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a where clause over the length limit with 400', async () => {
    const where = `title = '${'x'.repeat(MAX_WHERE)}'`;
    const res = await get(`/v1/shape?table=items&offset=-1&where=${encodeURIComponent(where)}`);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      message: 'Invalid request',
      errors: { where: [`WHERE clause is too long (maximum ${MAX_WHERE} characters)`] },
    });
  });

  it('validates parameters with Electric messages', async () => {
    const cases: [string, Record<string, string[]>][] = [
      ['table=items', { offset: ["can't be blank"] }],
      ['table=items&offset=0_0', { handle: ["can't be blank when offset != -1"] }],
      ['table=items&offset=-1&live=true', { live: ["can't be true when offset == -1"] }],
      ['offset=-1', { table: ["can't be blank"] }],
      [
        'table=nope&offset=-1',
        {
          table: [
            'Table "public"."nope" does not exist. If the table name contains capitals or special characters you must quote it.',
          ],
        },
      ],
      ['table=items&offset=-1&replica=partial', { replica: ['is invalid'] }],
      [
        'table=items&offset=-1&where=id%3D%241&params[2]=1',
        { params: ['Parameters must be numbered sequentially, starting from 1'] },
      ],
    ];
    for (const [query, errors] of cases) {
      const res = await get(`/v1/shape?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json(), query).toEqual({ message: 'Invalid request', errors });
    }
  });

  it('OPTIONS is 204 with the CORS preflight headers', async () => {
    const res = await get('/v1/shape?table=items', { method: 'OPTIONS', headers: { origin: 'https://app.example' } });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('access-control-max-age')).toBe('86400');
    expect(res.headers.get('access-control-allow-headers')).toBe('if-none-match, traceparent');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-methods')).toContain('DELETE');
  });

  it('/v1/health is active; / is 200; unknown routes are 404; normalised paths reach the shape handler', async () => {
    const health = await get('/v1/health');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'active' });
    expect(health.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
    const root = await get('/');
    expect(root.status).toBe(200);
    expect(root.text).toBe('');
    for (const path of ['/v1/nope', '/v2/shape', '/shape', '/v1/shape/extra', '/v1/%zz']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).toBe('Not found');
    }
    for (const path of ['/v1//shape', '/v1/%73hape', '/v1/shape/']) {
      const res = await get(`${path}?table=items&offset=-1`);
      expect(res.status, path).toBe(200);
      expect(res.headers.has('electric-handle'), path).toBe(true);
    }
  });

  it('every response exposes the Electric headers to browsers, errors included', async () => {
    const { handle } = await atHead('items');
    const responses: [string, Got][] = [
      ['200', await get('/v1/shape?table=items&offset=-1')],
      ['304', await get('/v1/shape?table=items&offset=-1', { headers: { 'if-none-match': `"${handle}:-1:0_0"` } })],
      ['400', await get('/v1/shape?table=items')],
      ['409', await get('/v1/shape?table=items&offset=0_inf&handle=gone')],
      ['404', await get('/nope')],
      ['405', await get('/v1/shape?table=items&offset=-1', { method: 'PUT' })],
      ['204', await get('/v1/shape', { method: 'OPTIONS' })],
      ['health', await get('/v1/health')],
      ['401', await request(guarded.url, '/v1/shape?table=items&offset=-1')],
      [
        '405 delete',
        await request(guarded.url, `/v1/shape?table=items&secret=${encodeURIComponent(SECRET)}`, { method: 'DELETE' }),
      ],
    ];
    for (const [name, res] of responses) {
      expect(exposed(res.headers), name).toEqual(expect.arrayContaining([...CORS_EXPOSED_HEADERS]));
      expect(res.headers.get('access-control-allow-origin'), name).toBe('*');
      expect(res.headers.get('electric-server'), name).toMatch(/^ElectricSQL\//);
    }
    expect(responses.map(([, r]) => r.status)).toEqual([200, 304, 400, 409, 404, 405, 204, 200, 401, 405]);
  });
});

describe('secret and DELETE', () => {
  const unauthorized = { message: 'Unauthorized - Invalid API secret' };

  it('requires the secret on /v1/shape when one is configured', async () => {
    const missing = await request(guarded.url, '/v1/shape?table=guarded_t&offset=-1');
    expect(missing.status).toBe(401);
    expect(missing.json()).toEqual(unauthorized);
    const wrong = await request(guarded.url, '/v1/shape?table=guarded_t&offset=-1&secret=nope');
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual(unauthorized);
    // Also on a path that only normalises to /v1/shape.
    expect((await request(guarded.url, '/v1//shape?table=guarded_t&offset=-1')).status).toBe(401);
    const secret = encodeURIComponent(SECRET);
    expect((await request(guarded.url, `/v1/shape?table=guarded_t&offset=-1&secret=${secret}`)).status).toBe(200);
    expect((await request(guarded.url, `/v1/shape?table=guarded_t&offset=-1&api_secret=${secret}`)).status).toBe(200);
    // Preflight and health never need it.
    expect((await request(guarded.url, '/v1/shape', { method: 'OPTIONS' })).status).toBe(204);
    expect((await request(guarded.url, '/v1/health')).status).toBe(200);
    expect((await request(guarded.url, '/v1/shape?table=guarded_t', { method: 'DELETE' })).status).toBe(401);
  });

  it('DELETE is 405 when deletion is disabled', async () => {
    const res = await request(guarded.url, `/v1/shape?table=guarded_t&secret=${encodeURIComponent(SECRET)}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(405);
    expect(res.json()).toEqual({ message: 'DELETE not allowed' });
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('DELETE by table or by handle rotates the shape when deletion is enabled', async () => {
    await sql.query(`create table del_t (id int primary key); insert into del_t values (1)`);
    const first = await get('/v1/shape?table=del_t&offset=-1');
    const handle = first.headers.get('electric-handle')!;
    const byHandle = await get(`/v1/shape?table=del_t&handle=${handle}`, { method: 'DELETE' });
    expect(byHandle.status).toBe(202);
    expect(byHandle.headers.get('cache-control')).toBe('no-cache');
    const gone = await get(`/v1/shape?table=del_t&offset=0_0&handle=${handle}`);
    expect(gone.status).toBe(409);
    expect(gone.headers.get('electric-handle')).not.toBe(handle);
    // `table` follows the identifier rules of GET: unquoted names fold to lower case.
    await get('/v1/shape?table=del_t&offset=-1');
    expect((await get('/v1/shape?table=public.DEL_T', { method: 'DELETE' })).status).toBe(202);
    expect((await get('/v1/shape?table=del_t', { method: 'DELETE' })).status).toBe(404);
    expect((await get('/v1/shape', { method: 'DELETE' })).status).toBe(400);
    // Quoted names with dots, spaces and capitals.
    await sql.query(`create schema "Del.Schema"; create table "Del.Schema"."Odd Table" (id int primary key)`);
    await get(`/v1/shape?table=${encodeURIComponent('"Del.Schema"."Odd Table"')}&offset=-1`);
    expect((await get('/v1/shape?table=del.schema.odd', { method: 'DELETE' })).status).toBe(400);
    expect((await get(`/v1/shape?table=${encodeURIComponent('"Odd Table"')}`, { method: 'DELETE' })).status).toBe(404);
    expect(
      (await get(`/v1/shape?table=${encodeURIComponent('"Del.Schema"."Odd Table"')}`, { method: 'DELETE' })).status,
    ).toBe(202);
  });
});
