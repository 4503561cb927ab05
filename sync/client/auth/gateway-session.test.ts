/**
 * GatewaySession behaviour that needs no gateway: refresh timing with an injected clock, resume()
 * input checks, and what happens when nothing answers at the server address (a closed local port).
 * Everything against a real gateway is in scripts/sync-e2e/gateway-session.test.ts.
 */
import net from 'node:net';
import util from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GatewaySession,
  GatewayUnreachableError,
  MAX_REFRESH_MARGIN_MS,
  needsRefresh,
  refreshMarginMs,
  type SessionTokens,
} from './gateway-session.js';

const T0 = Date.UTC(2026, 5, 1);
const MIN = 60_000;

/** An address where nothing listens: a port the OS just handed out and took back. */
let closedUrl: string;
beforeAll(async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  closedUrl = `http://127.0.0.1:${port}`;
});

const tokens = (lifetimeMs: number, issuedAt = T0): SessionTokens => ({
  accessToken: 'access-token-value',
  refreshToken: 'refresh-token-value',
  issuedAt,
  expiresAt: issuedAt + lifetimeMs,
});

function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('refresh timing', () => {
  it('refreshes 30 s ahead of a 15-minute token, a quarter of the lifetime ahead of a short one', () => {
    expect(refreshMarginMs(15 * MIN)).toBe(MAX_REFRESH_MARGIN_MS);
    expect(refreshMarginMs(2 * MIN)).toBe(30_000);
    expect(refreshMarginMs(60_000)).toBe(15_000);
    expect(refreshMarginMs(2_000)).toBe(500);
    expect(refreshMarginMs(0)).toBe(0);
    expect(refreshMarginMs(-5)).toBe(0);
  });

  it('needsRefresh flips exactly at expiry minus the margin', () => {
    const t = tokens(15 * MIN);
    expect(needsRefresh(t, T0)).toBe(false);
    expect(needsRefresh(t, t.expiresAt - 30_001)).toBe(false);
    expect(needsRefresh(t, t.expiresAt - 30_000)).toBe(true);
    expect(needsRefresh(t, t.expiresAt + 1)).toBe(true);
    const short = tokens(2_000);
    expect(needsRefresh(short, T0 + 1_499)).toBe(false);
    expect(needsRefresh(short, T0 + 1_500)).toBe(true);
  });

  it('getToken answers from memory while the token is outside its margin (no request at all)', async () => {
    const c = clock();
    const session = GatewaySession.resume(closedUrl, tokens(15 * MIN), { now: c.now });
    expect(await session.getToken()).toBe('access-token-value');
    c.t = T0 + 15 * MIN - 30_001;
    expect(await session.getToken()).toBe('access-token-value');
  });

  it('a proactive refresh that cannot reach the server falls back to the still-valid token; after expiry it throws and keeps the tokens', async () => {
    const c = clock();
    const logs: string[] = [];
    const session = GatewaySession.resume(closedUrl, tokens(15 * MIN), { now: c.now, log: (m) => logs.push(m) });
    c.t = T0 + 15 * MIN - 10_000; // inside the 30 s margin, still valid
    expect(await session.getToken()).toBe('access-token-value');
    expect(logs.join('\n')).toMatch(/ahead of expiry failed/);
    expect(logs.join('\n')).not.toContain('token-value');

    c.t = T0 + 15 * MIN; // expired
    const error = await session.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayUnreachableError);
    expect((error as GatewayUnreachableError).code).toBe('gateway_unreachable');
    expect((error as Error).message).toContain(closedUrl);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(session.tokens).toEqual(tokens(15 * MIN));
    expect(session.ended).toBe(false);
  });
});

describe('resume', () => {
  it('estimates the lifetime from what is left when issuedAt was not saved', () => {
    const c = clock(T0);
    const { issuedAt: _, ...saved } = tokens(10 * MIN, T0 - 5 * MIN);
    const session = GatewaySession.resume(closedUrl, saved, { now: c.now });
    expect(session.tokens.issuedAt).toBe(T0);
    expect(session.tokens.expiresAt).toBe(T0 + 5 * MIN);
  });

  it('rejects saved tokens that cannot be a session, and server addresses that are not http(s)', () => {
    expect(() => GatewaySession.resume(closedUrl, { ...tokens(MIN), refreshToken: '' })).toThrow(/sign in again/);
    expect(() => GatewaySession.resume(closedUrl, { ...tokens(MIN), expiresAt: Number.NaN })).toThrow(/expiry/);
    expect(() => GatewaySession.resume('sync.example.com', tokens(MIN))).toThrow(/not a server address/);
    expect(() => GatewaySession.resume('ftp://sync.example.com', tokens(MIN))).toThrow(/http:\/\/ or https:\/\//);
    expect(() => GatewaySession.resume('https://u:p@sync.example.com', tokens(MIN))).toThrow(/user name/);
  });

  it('normalises the server address (trailing slashes go, a path prefix stays)', () => {
    expect(GatewaySession.resume('http://127.0.0.1:7410/', tokens(MIN)).serverUrl).toBe('http://127.0.0.1:7410');
    expect(GatewaySession.resume('https://example.com/fieldline//', tokens(MIN)).serverUrl).toBe(
      'https://example.com/fieldline',
    );
  });

  it('keeps tokens out of logs: neither inspecting nor serialising a session shows them', () => {
    const session = GatewaySession.resume(closedUrl, tokens(MIN));
    expect(util.inspect(session, { depth: 5, showHidden: true })).not.toContain('token-value');
    expect(JSON.stringify(session)).not.toContain('token-value');
  });
});

describe('unreachable server', () => {
  it('login fails with GatewayUnreachableError naming the address', async () => {
    const error = await GatewaySession.login(closedUrl, 'tech@northwind.test', 'secret-password').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayUnreachableError);
    expect((error as Error).message).toContain(closedUrl);
    expect((error as Error).message).not.toContain('secret-password');
  });

  it('logout still ends the session locally and resolves false', async () => {
    const session = GatewaySession.resume(closedUrl, tokens(MIN));
    const ended: string[] = [];
    session.onEnded((e) => ended.push(e.reason));
    expect(await session.logout()).toBe(false);
    expect(session.ended).toBe(true);
    expect(ended).toEqual(['logged_out']);
    await expect(session.getToken()).rejects.toMatchObject({ code: 'session_expired', reason: 'logged_out' });
  });
});
