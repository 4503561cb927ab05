/** The auth endpoints over real HTTP (node:http on port 0, fetch), backed by a real Postgres with demo data. */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendError, sendFailure, sendJson } from '../http-utils.js';
import { type AuthHandlerDeps, routeAuthRequest } from './handlers.js';
import { createLoginRateLimiter } from './rate-limit.js';
import { authenticateRequest } from './request-auth.js';
import type { SessionTokens } from './sessions.js';
import { type AuthTestDatabase, DEMO_PASSWORD, createAuthTestDatabase } from './test-support.js';
import { verifyAccessToken } from './tokens.js';

let t: AuthTestDatabase;
let server: http.Server;
let base: string;
let deps: AuthHandlerDeps;
const unexpected: unknown[] = [];
/** Limits no test reaches unless it installs its own limiter. */
const generousLimiter = () => createLoginRateLimiter({ perEmail: { limit: 1000, windowMs: 60_000 } });

beforeAll(async () => {
  t = await createAuthTestDatabase();
  deps = { sessions: t.sessions, loginLimiter: generousLimiter(), onUnexpectedError: (e) => unexpected.push(e) };
  server = http.createServer((req, res) => {
    void (async () => {
      if (await routeAuthRequest(req, res, deps)) return;
      // Stands in for a gateway route that needs a signed-in member (shapes, mutations).
      if (req.url?.startsWith('/whoami')) {
        try {
          const orgId = new URL(req.url, 'http://x').searchParams.get('organization_id') ?? undefined;
          const { claims, membership } = await authenticateRequest(
            req,
            { secret: t.secret, sessions: t.sessions },
            orgId,
          );
          sendJson(res, 200, { sub: claims.sub, membership });
        } catch (e) {
          sendFailure(res, e);
        }
        return;
      }
      sendError(res, 404, 'not_found', 'No such route.');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await t?.close();
});

type ErrorBody = { error: { code: string; message: string } };

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function login(email: string, password = DEMO_PASSWORD): Promise<SessionTokens> {
  const res = await post('/v1/auth/login', { email, password });
  expect(res.status).toBe(200);
  return (await res.json()) as SessionTokens;
}

async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorBody;
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body;
}

describe('POST /v1/auth/login', () => {
  it('signs in every demo user with the documented response, and the token works for RLS in Postgres', async () => {
    expect(t.demoUsers).toHaveLength(6);
    for (const demo of t.demoUsers) {
      const res = await post('/v1/auth/login', { email: demo.email, password: DEMO_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as SessionTokens;
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'memberships', 'refresh_token', 'user']);
      const orgName = demo.org === 'northwind' ? 'Northwind Security' : 'Contoso Alarm';
      expect(body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        expires_in: 900,
        user: { id: demo.id, email: demo.email, display_name: demo.display_name },
        memberships: [{ organization_id: t.orgs[demo.org], organization_name: orgName, role: demo.role }],
      });

      const claims = await verifyAccessToken(body.access_token, t.secret);
      expect(claims).toMatchObject({
        sub: demo.id,
        role: 'authenticated',
        aud: 'authenticated',
        iss: 'fieldline',
        email: demo.email,
        org_id: t.orgs[demo.org],
        app_metadata: { organizations: [{ id: t.orgs[demo.org], role: demo.role }] },
      });
      expect(claims.exp - claims.iat).toBe(900);

      // The verified claims, set the way the gateway sets them, make auth.uid() the user and RLS scope to their org.
      await t.admin.query('begin');
      try {
        await t.admin.query('set local role authenticated');
        await t.admin.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
        const who = await t.admin.query('select auth.uid()::text as uid, auth.role() as role');
        expect(who.rows[0]).toEqual({ uid: demo.id, role: 'authenticated' });
        const orgs = await t.admin.query<{ id: string }>('select id from organizations');
        expect(orgs.rows).toEqual([{ id: t.orgs[demo.org] }]);
      } finally {
        await t.admin.query('rollback');
      }
    }
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrong = await post('/v1/auth/login', { email: 'admin@northwind.test', password: 'guess' });
    const unknown = await post('/v1/auth/login', { email: 'ghost@northwind.test', password: 'guess' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.text(), await unknown.text()];
    expect(a).toBe(b);
    expect(JSON.parse(a)).toEqual({
      error: { code: 'invalid_credentials', message: 'Email or password is incorrect.' },
    });
  });

  it('accepts the email in any case', async () => {
    const s = await login('DISPATCH@Northwind.Test');
    expect(s.user.email).toBe('dispatch@northwind.test');
  });

  it('refuses a disabled user and a user without membership with 403 and a reason', async () => {
    const disabled = await t.addUser([{ org: 'northwind', role: 'technician' }]);
    await t.admin.query('update app.users set disabled_at = now() where id = $1', [disabled.id]);
    const body = await expectError(
      await post('/v1/auth/login', { email: disabled.email, password: DEMO_PASSWORD }),
      403,
      'user_disabled',
    );
    expect(body.error.message).toMatch(/disabled/);
    const loner = await t.addUser([]);
    await expectError(
      await post('/v1/auth/login', { email: loner.email, password: DEMO_PASSWORD }),
      403,
      'no_membership',
    );
  });

  it('rate-limits per email: 429 with retry-after, counted failures or not, and recovers', async () => {
    let now = 0;
    deps.loginLimiter = createLoginRateLimiter({ perEmail: { limit: 3, windowMs: 60_000 }, now: () => now });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await post('/v1/auth/login', { email: 'tech@contoso.test', password: 'guess' })).status).toBe(401);
      }
      const limited = await post('/v1/auth/login', { email: 'Tech@Contoso.test', password: DEMO_PASSWORD });
      expect(limited.headers.get('retry-after')).toBe('20');
      await expectError(limited, 429, 'rate_limited');
      now += 60_000;
      await login('tech@contoso.test');
    } finally {
      deps.loginLimiter = generousLimiter();
    }
  });

  it('rate-limits per client IP across emails', async () => {
    deps.loginLimiter = createLoginRateLimiter({ perIp: { limit: 2, windowMs: 60_000 } });
    try {
      await post('/v1/auth/login', { email: 'a@example.test', password: 'x' });
      await post('/v1/auth/login', { email: 'b@example.test', password: 'x' });
      const limited = await post('/v1/auth/login', { email: 'admin@contoso.test', password: DEMO_PASSWORD });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectError(limited, 429, 'rate_limited');
    } finally {
      deps.loginLimiter = generousLimiter();
    }
  });
});

describe('POST /v1/auth/refresh and /v1/auth/logout', () => {
  it('rotates; replaying a token whose successor was used fails and revokes the newest too', async () => {
    const first = await login('tech2@northwind.test');
    const res = await post('/v1/auth/refresh', { refresh_token: first.refresh_token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const second = (await res.json()) as SessionTokens;
    expect(Object.keys(second).sort()).toEqual(['access_token', 'expires_in', 'memberships', 'refresh_token', 'user']);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await verifyAccessToken(second.access_token, t.secret);

    // The client used `second`, so `first` presented again can only be a copy.
    const third = (await (
      await post('/v1/auth/refresh', { refresh_token: second.refresh_token })
    ).json()) as SessionTokens;
    await expectError(
      await post('/v1/auth/refresh', { refresh_token: first.refresh_token }),
      401,
      'refresh_token_reused',
    );
    await expectError(await post('/v1/auth/refresh', { refresh_token: third.refresh_token }), 401, 'session_revoked');
  });

  it('logout answers 204 and the session cannot be refreshed afterwards', async () => {
    const s = await login('admin@contoso.test');
    const res = await post('/v1/auth/logout', { refresh_token: s.refresh_token });
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toBe('no-store');
    await expectError(await post('/v1/auth/refresh', { refresh_token: s.refresh_token }), 401, 'session_revoked');
  });

  it('refuses an unknown refresh token with 401', async () => {
    const token = crypto.randomBytes(32).toString('base64url');
    await expectError(await post('/v1/auth/refresh', { refresh_token: token }), 401, 'invalid_refresh_token');
  });
});

describe('request bodies', () => {
  it('answers 413 for a body over 16 KiB, declared or streamed', async () => {
    const big = JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(17 * 1024) });
    await expectError(await post('/v1/auth/login', big), 413, 'payload_too_large');
    const chunks = [big.slice(0, 8000), big.slice(8000)];
    const streamed = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    await expectError(streamed, 413, 'payload_too_large');
  });

  it('answers 400 for malformed JSON, an empty body, and missing or mistyped fields', async () => {
    await expectError(await post('/v1/auth/login', '{"email": "a@b.test",'), 400, 'invalid_json');
    await expectError(await post('/v1/auth/login', ''), 400, 'invalid_json');
    const missing = await expectError(await post('/v1/auth/login', { email: 'a@b.test' }), 400, 'invalid_request');
    expect(missing.error.message).toMatch(/^password: /);
    await expectError(await post('/v1/auth/login', { email: 'no-at-sign', password: 'x' }), 400, 'invalid_request');
    await expectError(await post('/v1/auth/login', [1, 2]), 400, 'invalid_request');
    await expectError(await post('/v1/auth/refresh', { refresh_token: 42 }), 400, 'invalid_request');
  });

  it('answers 415 for a non-JSON content type and 405 for other methods', async () => {
    await expectError(
      await post('/v1/auth/login', 'email=a@b.test&password=x', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'unsupported_media_type',
    );
    const get = await fetch(`${base}/v1/auth/login`);
    expect(get.headers.get('allow')).toBe('POST');
    await expectError(get, 405, 'method_not_allowed');
  });

  it('answers 500 without internals when something unexpected fails, and reports the error', async () => {
    const saved = deps.sessions;
    deps.sessions = {
      ...saved,
      login: () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:5432 (password=hunter2)')),
    };
    try {
      const res = await post('/v1/auth/login', { email: 'admin@contoso.test', password: DEMO_PASSWORD });
      const text = await res.clone().text();
      await expectError(res, 500, 'internal_error');
      expect(text).not.toMatch(/ECONNREFUSED|hunter2|10\.1\.2\.3/);
      expect(unexpected.at(-1)).toBeInstanceOf(Error);
    } finally {
      deps.sessions = saved;
    }
  });
});

describe('authenticateRequest (what gateway routes call first)', () => {
  const whoami = (token: string | undefined, query = '') =>
    fetch(`${base}/whoami${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('lets a member through with their membership, in the org they pick when they hold several', async () => {
    const u = await t.addUser([
      { org: 'northwind', role: 'technician' },
      { org: 'contoso', role: 'admin' },
    ]);
    const s = await login(u.email);
    const res = await whoami(s.access_token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: u.id,
      membership: {
        user_id: u.id,
        organization_id: t.orgs.northwind,
        organization_name: 'Northwind Security',
        role: 'technician',
      },
    });
    const picked = await whoami(s.access_token, `?organization_id=${t.orgs.contoso}`);
    expect(((await picked.json()) as { membership: { role: string } }).membership.role).toBe('admin');
  });

  it('refuses missing, forged and alg-none tokens with 401, and a removed member with 403', async () => {
    const missing = await whoami(undefined);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
    await expectError(missing, 401, 'invalid_token');

    const s = await login('tech@northwind.test');
    const [header, payload] = s.access_token.split('.');
    await expectError(await whoami(`${header}.${payload}.AAAA`), 401, 'invalid_token');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expectError(await whoami(`${none}.${payload}.`), 401, 'invalid_token');
    await expectError(await whoami(s.access_token, `?organization_id=${t.orgs.contoso}`), 403, 'not_a_member');

    const u = await t.addUser([{ org: 'contoso', role: 'technician' }]);
    const member = await login(u.email);
    expect((await whoami(member.access_token)).status).toBe(200);
    await t.admin.query('delete from organization_members where user_id = $1', [u.id]);
    await expectError(await whoami(member.access_token), 403, 'not_a_member');
  });
});
