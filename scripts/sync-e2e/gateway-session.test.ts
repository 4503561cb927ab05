/**
 * The client's GatewaySession against a real gateway in-process: demo data in a real Postgres, the
 * shape service, and the gateway with its real token rotation and replay detection. Lives under
 * scripts/ because it needs sync/server (the gateway) and sync/client (the session) together.
 * Requests are only ever counted (by wrapping the real fetch), never answered by the test.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GatewayResponseError,
  GatewaySession,
  GatewayUnreachableError,
  InvalidCredentialsError,
  SessionExpiredError,
  type SessionTokens,
  type SessionUser,
} from '../../sync/client/auth/gateway-session.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../sync/server/gateway/server.js';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { loadDemo } from '../../sync/server/seed/load.js';
import { testConfig } from '../../sync/server/shape-service/client-test-support.js';
import { startShapeService, type RunningShapeService } from '../../sync/server/shape-service/service.js';
import { connect, createTestDatabase, type TestDatabase } from '../../sync/server/testing/pg.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';

const SECRET = 'shape-service-secret-for-tests';
const SHORT_TTL_SECONDS = 2;

let db: TestDatabase;
let sql: pg.Client;
let shapes: RunningShapeService;
let shapesDir: string;
/** Default 15-minute access tokens. */
let gateway: RunningGateway;
/** Access tokens that live SHORT_TTL_SECONDS. */
let shortGateway: RunningGateway;
/** Stands in for what may sit at a wrong server address: a captive portal, a broken proxy, another web server. */
let impostor: http.Server;
let impostorUrl: string;

const gatewayOptions = (extra: Partial<GatewayOptions> = {}): GatewayOptions => ({
  databaseUrl: db.url,
  jwtSecret: new TextEncoder().encode('a-test-jwt-secret-that-is-long-enough-123'),
  upstream: { url: shapes.url, secret: SECRET },
  port: 0,
  ...extra,
});

beforeAll(async () => {
  db = await createTestDatabase('migrated');
  sql = await connect(db.url);
  const loaded = await loadDemo(sql, { seed: 11, scale: 1, anchor: new Date('2026-06-01T00:00:00Z') });
  if (!loaded.loaded) throw new Error(loaded.reason);
  shapesDir = makeTempDir('session-shapes');
  shapes = await startShapeService(testConfig(db.url, shapesDir, { secret: SECRET }));
  gateway = await startGateway(gatewayOptions());
  shortGateway = await startGateway(gatewayOptions({ accessTokenTtlSeconds: SHORT_TTL_SECONDS }));
  impostor = http.createServer((req, res) => {
    if (req.url?.startsWith('/portal/')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Accept the terms to continue</body></html>');
    } else if (req.url?.startsWith('/json/')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"access_token":42}');
    } else if (req.url?.startsWith('/down/')) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    }
  });
  await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', r));
  impostorUrl = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => (impostor ? impostor.close(r) : r(undefined)));
  await shortGateway?.stop();
  await gateway?.stop();
  await shapes?.stop();
  await sql?.end();
  await db?.drop();
  if (shapesDir) fs.rmSync(shapesDir, { recursive: true, force: true });
});

/** The real fetch, recording the path of every request. */
function countingFetch() {
  const paths: string[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    paths.push(new URL(input instanceof Request ? input.url : input.toString()).pathname);
    return fetch(input, init);
  };
  return { fetch: fetchFn, paths, refreshes: () => paths.filter((p) => p === '/v1/auth/refresh').length };
}

/** What the gateway answers a shape request made with `token`. */
async function shapeAnswer(gw: RunningGateway, token: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${gw.url}/v1/shape?table=devices&offset=-1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  if (res.status === 200) return { status: 200 };
  return { status: res.status, code: (JSON.parse(text) as { error?: { code?: string } }).error?.code };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const untilExpired = (session: GatewaySession) => sleep(Math.max(0, session.tokens.expiresAt - Date.now() + 50));
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );

describe('login', () => {
  it('signs in: tokens, expiry from expires_in, the user and memberships; the token opens shapes', async () => {
    const before = Date.now();
    const session = await GatewaySession.login(gateway.url, 'tech@northwind.test', DEMO_PASSWORD);
    const t = session.tokens;
    expect(t.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(t.refreshToken).toMatch(/^[\w-]{43}$/);
    expect(t.issuedAt).toBeGreaterThanOrEqual(before);
    expect(t.expiresAt - t.issuedAt).toBe(15 * 60 * 1000);
    expect(session.user).toMatchObject({
      email: 'tech@northwind.test',
      memberships: [{ organizationName: 'Northwind Security', role: 'technician' }],
    });
    expect(session.user!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await session.getToken()).toBe(t.accessToken);
    expect(await shapeAnswer(gateway, t.accessToken)).toEqual({ status: 200 });
  });

  it('a wrong password or an unknown email is InvalidCredentialsError, and its message never echoes the password', async () => {
    for (const email of ['admin@contoso.test', 'nobody@contoso.test']) {
      const error = await failure(GatewaySession.login(gateway.url, email, 'not-the-password'));
      expect(error).toBeInstanceOf(InvalidCredentialsError);
      expect(error).toMatchObject({ code: 'invalid_credentials', message: expect.stringMatching(/incorrect/) });
      expect(String((error as Error).message)).not.toContain('not-the-password');
    }
  });
});

describe('access token expiry and refresh', () => {
  it('after the access token expires, getToken returns a new one the gateway accepts while the old one gets 401', async () => {
    const counter = countingFetch();
    const session = await GatewaySession.login(shortGateway.url, 'tech@northwind.test', DEMO_PASSWORD, {
      fetch: counter.fetch,
    });
    const old = session.tokens;
    expect(old.expiresAt - old.issuedAt).toBe(SHORT_TTL_SECONDS * 1000);
    // Well inside its lifetime the token is used as it is.
    expect(await session.getToken()).toBe(old.accessToken);
    expect(counter.refreshes()).toBe(0);

    await untilExpired(session);
    const fresh = await session.getToken();
    expect(fresh).not.toBe(old.accessToken);
    expect(counter.refreshes()).toBe(1);
    expect(session.tokens.refreshToken).not.toBe(old.refreshToken);
    expect(await shapeAnswer(shortGateway, fresh)).toEqual({ status: 200 });

    // The gateway allows 5 s of clock skew past `exp`, so the old token is refused a little later.
    const deadline = Date.now() + 12_000;
    let answer = await shapeAnswer(shortGateway, old.accessToken);
    while (answer.status === 200 && Date.now() < deadline) {
      await sleep(250);
      answer = await shapeAnswer(shortGateway, old.accessToken);
    }
    expect(answer).toEqual({ status: 401, code: 'token_expired' });
  });

  it('concurrent getToken calls after expiry share one refresh', async () => {
    const counter = countingFetch();
    const session = await GatewaySession.login(shortGateway.url, 'tech2@northwind.test', DEMO_PASSWORD, {
      fetch: counter.fetch,
    });
    const old = session.tokens.accessToken;
    await untilExpired(session);
    const tokens = await Promise.all([
      ...Array.from({ length: 6 }, () => session.getToken()),
      session.refreshAfterUnauthorized(old),
    ]);
    expect(counter.refreshes()).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(old);
    expect(await shapeAnswer(shortGateway, tokens[0]!)).toEqual({ status: 200 });
  });

  it('refreshAfterUnauthorized is single-flight and does not refresh again for a token already replaced', async () => {
    const counter = countingFetch();
    const session = await GatewaySession.login(gateway.url, 'dispatch@northwind.test', DEMO_PASSWORD, {
      fetch: counter.fetch,
    });
    const stale = session.tokens.accessToken;
    // The gateway's access tokens carry whole-second iat/exp and no unique id: one refreshed within the
    // second it was issued is byte-identical to its predecessor. Step past that second first.
    await sleep(1_050);
    const tokens = await Promise.all([
      ...Array.from({ length: 8 }, () => session.refreshAfterUnauthorized(stale)),
      session.getToken(), // a valid token needs no refresh; this one may answer with either
    ]);
    expect(counter.refreshes()).toBe(1);
    const fresh = session.tokens.accessToken;
    expect(fresh).not.toBe(stale);
    expect(new Set(tokens.slice(0, 8))).toEqual(new Set([fresh]));

    // A caller that still held the stale token gets the current one without another refresh.
    expect(await session.refreshAfterUnauthorized(stale)).toBe(fresh);
    expect(counter.refreshes()).toBe(1);
    expect(await shapeAnswer(gateway, fresh)).toEqual({ status: 200 });
    // A 401 on the current token does refresh again.
    const spent = session.tokens.refreshToken;
    await session.refreshAfterUnauthorized(fresh);
    expect(counter.refreshes()).toBe(2);
    expect(session.tokens.refreshToken).not.toBe(spent);
  });

  it('onTokens fires after every rotation with the new refresh token, until unsubscribed', async () => {
    const session = await GatewaySession.login(gateway.url, 'tech2@northwind.test', DEMO_PASSWORD);
    const seen: { tokens: SessionTokens; user: SessionUser }[] = [];
    const unsubscribe = session.onTokens((tokens, user) => seen.push({ tokens, user }));
    const first = session.tokens;

    await session.refreshAfterUnauthorized(first.accessToken);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.tokens).toEqual(session.tokens);
    expect(seen[0]!.tokens.refreshToken).not.toBe(first.refreshToken);
    expect(seen[0]!.user.email).toBe('tech2@northwind.test');

    await session.refreshAfterUnauthorized(session.tokens.accessToken);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.tokens.refreshToken).toBe(session.tokens.refreshToken);

    unsubscribe();
    await session.refreshAfterUnauthorized(session.tokens.accessToken);
    expect(seen).toHaveLength(2);
  });

  it('resume() from persisted tokens uses the saved access token, then refreshes with the saved refresh token', async () => {
    const original = await GatewaySession.login(gateway.url, 'admin@northwind.test', DEMO_PASSWORD);
    const saved = JSON.parse(JSON.stringify(original.tokens)) as SessionTokens;

    const counter = countingFetch();
    const resumed = GatewaySession.resume(gateway.url, saved, { fetch: counter.fetch });
    expect(resumed.user).toBeUndefined();
    expect(await resumed.getToken()).toBe(saved.accessToken);
    expect(counter.paths).toEqual([]);
    expect(await shapeAnswer(gateway, saved.accessToken)).toEqual({ status: 200 });

    const fresh = await resumed.refreshAfterUnauthorized(saved.accessToken);
    expect(resumed.tokens.refreshToken).not.toBe(saved.refreshToken);
    expect(counter.refreshes()).toBe(1);
    expect(resumed.user).toMatchObject({ email: 'admin@northwind.test', memberships: [{ role: 'admin' }] });
    expect(await shapeAnswer(gateway, fresh)).toEqual({ status: 200 });
  });
});

describe('ended sessions', () => {
  it('after logout the session is over here and on the gateway: its refresh token is refused', async () => {
    const session = await GatewaySession.login(gateway.url, 'tech@contoso.test', DEMO_PASSWORD);
    const saved = session.tokens;
    const ended: string[] = [];
    session.onEnded((e) => ended.push(e.reason));

    expect(await session.logout()).toBe(true);
    expect(ended).toEqual(['logged_out']);
    const local = await failure(session.getToken());
    expect(local).toBeInstanceOf(SessionExpiredError);
    expect(local).toMatchObject({ code: 'session_expired', reason: 'logged_out' });

    const copy = GatewaySession.resume(gateway.url, saved);
    const copyEnded: string[] = [];
    copy.onEnded((e) => copyEnded.push(e.reason));
    const error = await failure(copy.refreshAfterUnauthorized(saved.accessToken));
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(error).toMatchObject({ reason: 'session_revoked', message: expect.stringMatching(/Sign in again/) });
    expect(copyEnded).toEqual(['session_revoked']);
    expect(copy.ended).toBe(true);
    // Ended for good: no further request, the same error.
    await expect(copy.getToken()).rejects.toBe(error);
  });

  it('logout during a refresh waits for it, revokes the newest token, and reports no rotation to persist', async () => {
    const session = await GatewaySession.login(gateway.url, 'admin@contoso.test', DEMO_PASSWORD);
    const rotations: SessionTokens[] = [];
    session.onTokens((t) => rotations.push(t));
    const first = session.tokens;
    const refreshing = session.refreshAfterUnauthorized(first.accessToken);
    expect(await session.logout()).toBe(true);
    await refreshing;
    expect(session.tokens.refreshToken).not.toBe(first.refreshToken); // the refresh did complete …
    expect(rotations).toEqual([]); // … but a logged-out session has nothing to persist
    const copy = GatewaySession.resume(gateway.url, session.tokens);
    await expect(copy.refreshAfterUnauthorized(copy.tokens.accessToken)).rejects.toMatchObject({
      reason: 'session_revoked',
    });
  });

  it('a replayed refresh token ends the session for every holder (why refreshes must be single-flight)', async () => {
    const a = await GatewaySession.login(gateway.url, 'tech@northwind.test', DEMO_PASSWORD);
    const b = GatewaySession.resume(gateway.url, a.tokens); // a second holder of the same refresh token
    await a.refreshAfterUnauthorized(a.tokens.accessToken); // spends it
    await a.refreshAfterUnauthorized(a.tokens.accessToken); // and uses its successor: b's copy is now stale

    const replay = await failure(b.refreshAfterUnauthorized(b.tokens.accessToken));
    expect(replay).toBeInstanceOf(SessionExpiredError);
    expect(replay).toMatchObject({ reason: 'refresh_token_reused', message: expect.stringMatching(/Sign in again/) });

    const after = await failure(a.refreshAfterUnauthorized(a.tokens.accessToken));
    expect(after).toBeInstanceOf(SessionExpiredError);
    expect(after).toMatchObject({ reason: 'session_revoked' });
    expect(a.ended).toBe(true);
  });
});

describe('gateway trouble', () => {
  it('a stopped gateway is GatewayUnreachableError; the tokens are kept and work once it is back', async () => {
    const own = await startGateway(gatewayOptions());
    const counter = countingFetch();
    const session = await GatewaySession.login(own.url, 'dispatch@northwind.test', DEMO_PASSWORD, {
      fetch: counter.fetch,
    });
    const before = session.tokens;
    await own.stop();

    const error = await failure(session.refreshAfterUnauthorized(before.accessToken));
    expect(error).toBeInstanceOf(GatewayUnreachableError);
    expect(error).toMatchObject({ code: 'gateway_unreachable', status: undefined });
    expect((error as Error).message).toContain(own.url);
    expect(session.tokens).toEqual(before);
    expect(session.ended).toBe(false);
    expect(await session.getToken()).toBe(before.accessToken); // still valid: usable offline
    expect(await failure(GatewaySession.login(own.url, 'dispatch@northwind.test', DEMO_PASSWORD))).toBeInstanceOf(
      GatewayUnreachableError,
    );

    const back = await startGateway(gatewayOptions({ port: own.port }));
    try {
      const fresh = await session.refreshAfterUnauthorized(before.accessToken);
      expect(session.tokens.refreshToken).not.toBe(before.refreshToken);
      expect(await shapeAnswer(back, fresh)).toEqual({ status: 200 });
    } finally {
      await back.stop();
    }
  });

  it('a captive portal or a JSON answer of the wrong shape is GatewayResponseError, and a refresh keeps the tokens', async () => {
    for (const prefix of ['portal', 'json']) {
      const error = await failure(GatewaySession.login(`${impostorUrl}/${prefix}`, 'tech@northwind.test', 'pw'));
      expect(error, prefix).toBeInstanceOf(GatewayResponseError);
      expect(error, prefix).toMatchObject({ code: 'gateway_response', status: 200 });
      expect((error as Error).message, prefix).toMatch(/not a Fieldline gateway's sign-in answer/);
    }
    const real = await GatewaySession.login(gateway.url, 'admin@northwind.test', DEMO_PASSWORD);
    const misdirected = GatewaySession.resume(`${impostorUrl}/portal`, real.tokens);
    const error = await failure(misdirected.refreshAfterUnauthorized(real.tokens.accessToken));
    expect(error).toBeInstanceOf(GatewayResponseError);
    expect(misdirected.tokens).toEqual(real.tokens);
    expect(misdirected.ended).toBe(false);
  });

  it('a 5xx is GatewayUnreachableError with its status; a 404 says the address is not a gateway', async () => {
    const down = await failure(GatewaySession.login(`${impostorUrl}/down`, 'tech@northwind.test', 'pw'));
    expect(down).toBeInstanceOf(GatewayUnreachableError);
    expect(down).toMatchObject({ status: 503 });
    const elsewhere = await failure(GatewaySession.login(`${impostorUrl}/other`, 'tech@northwind.test', 'pw'));
    expect(elsewhere).toBeInstanceOf(GatewayResponseError);
    expect(elsewhere).toMatchObject({
      status: 404,
      message: expect.stringMatching(/does not look like a Fieldline gateway/),
    });
  });
});
