import crypto from 'node:crypto';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Claims } from '../../db/as-user.js';
import { AuthError, TokenExpiredError, TokenInvalidError } from './errors.js';
import { type AccessTokenClaims, type TokenGrant, issueAccessToken, verifyAccessToken } from './tokens.js';

const secret = new TextEncoder().encode(crypto.randomBytes(32).toString('base64url'));
const user = { id: crypto.randomUUID(), email: 'tech@northwind.test' };
const grant: TokenGrant = {
  sessionId: crypto.randomUUID(),
  organizationId: crypto.randomUUID(),
  organizations: [{ id: crypto.randomUUID(), role: 'technician' }],
};
grant.organizations.unshift({ id: grant.organizationId, role: 'admin' });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function validClaims(): Promise<AccessTokenClaims> {
  return (await issueAccessToken(user, grant, secret)).claims;
}

/** Signs `claims` (default: valid ones) with any algorithm and key, bypassing issueAccessToken. */
async function sign(
  overrides: Record<string, unknown>,
  alg = 'HS256',
  key: Parameters<SignJWT['sign']>[0] = secret,
): Promise<string> {
  return new SignJWT({ ...(await validClaims()), ...overrides }).setProtectedHeader({ alg }).sign(key);
}

async function rejection(token: string, opts?: { now?: Date }): Promise<AuthError> {
  try {
    await verifyAccessToken(token, secret, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(AuthError);
    return e as AuthError;
  }
  throw new Error('expected the token to be refused');
}

describe('issueAccessToken / verifyAccessToken', () => {
  it('issues an HS256 JWT with Supabase-style claims that verify', async () => {
    const now = new Date();
    const issued = await issueAccessToken(user, grant, secret, { now });
    expect(issued.expiresIn).toBe(15 * 60);
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = await verifyAccessToken(issued.token, secret);
    const iat = Math.floor(now.getTime() / 1000);
    expect(claims).toEqual({
      sub: user.id,
      role: 'authenticated',
      aud: 'authenticated',
      iss: 'fieldline',
      email: user.email,
      iat,
      exp: iat + 900,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      session_id: grant.sessionId,
      org_id: grant.organizationId,
      app_metadata: { organizations: grant.organizations },
    });
    // Two tokens issued in the same second for the same grant still differ.
    const again = await issueAccessToken(user, grant, secret, { now });
    expect(again.token).not.toBe(issued.token);
    // Usable as the claims asUser() sets for RLS, without conversion.
    const forRls: Claims = claims;
    expect(forRls.sub).toBe(user.id);
  });

  it('accepts a token up to 5 s past its expiry (clock skew) and refuses it after that as expired', async () => {
    const { token } = await issueAccessToken(user, grant, secret, { ttlSeconds: 60 });
    const at = (secondsFromNow: number) => new Date(Date.now() + secondsFromNow * 1000);
    await expect(verifyAccessToken(token, secret, { now: at(63) })).resolves.toMatchObject({ sub: user.id });
    const err = await rejection(token, { now: at(70) });
    expect(err).toBeInstanceOf(TokenExpiredError);
    expect(err).toMatchObject({ code: 'token_expired', status: 401 });
  });

  it('refuses a token signed with another secret', async () => {
    const other = new TextEncoder().encode('another-secret-that-is-long-enough-0123456789');
    const err = await rejection(await sign({}, 'HS256', other));
    expect(err).toBeInstanceOf(TokenInvalidError);
    expect(err).toMatchObject({ code: 'invalid_token', status: 401 });
    expect(err.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('refuses a token whose payload was edited after signing', async () => {
    const [header, , signature] = (await issueAccessToken(user, grant, secret)).token.split('.');
    const forged = b64({ ...(await validClaims()), sub: crypto.randomUUID() });
    expect((await rejection(`${header}.${forged}.${signature}`)).code).toBe('invalid_token');
  });

  it('refuses alg "none", with or without a trailing dot', async () => {
    const payload = b64(await validClaims());
    for (const header of [{ alg: 'none' }, { alg: 'none', typ: 'JWT' }, { alg: 'None' }]) {
      expect((await rejection(`${b64(header)}.${payload}.`)).code).toBe('invalid_token');
      expect((await rejection(`${b64(header)}.${payload}`)).code).toBe('invalid_token');
    }
  });

  it('refuses other algorithms: HS512 with our own secret, RS256, and an RS256 header over an HMAC signature', async () => {
    expect((await rejection(await sign({}, 'HS512'))).code).toBe('invalid_token');
    const { privateKey } = await generateKeyPair('RS256');
    expect((await rejection(await sign({}, 'RS256', privateKey))).code).toBe('invalid_token');
    // Algorithm confusion: claim RS256 but sign with the shared secret.
    const payload = b64(await validClaims());
    const header = b64({ alg: 'RS256', typ: 'JWT' });
    const mac = crypto.createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    expect((await rejection(`${header}.${payload}.${mac}`)).code).toBe('invalid_token');
  });

  it('refuses a wrong issuer or audience, and a role other than authenticated', async () => {
    expect((await rejection(await sign({ iss: 'supabase' }))).message).toMatch(/"iss" claim/);
    expect((await rejection(await sign({ aud: 'anon' }))).message).toMatch(/"aud" claim/);
    expect((await rejection(await sign({ aud: ['authenticated', 'anon'] }))).code).toBe('invalid_token');
    expect((await rejection(await sign({ role: 'service_role' }))).code).toBe('invalid_token');
  });

  it('refuses tokens missing the claims the gateway relies on, and garbage', async () => {
    expect((await rejection(await sign({ session_id: undefined }))).code).toBe('invalid_token');
    expect((await rejection(await sign({ org_id: 'not-a-uuid' }))).code).toBe('invalid_token');
    expect((await rejection(await sign({ exp: undefined }))).code).toBe('invalid_token');
    for (const garbage of ['', 'abc', 'a.b.c', `${b64({ alg: 'HS256' })}.!!!.x`]) {
      expect((await rejection(garbage)).code).toBe('invalid_token');
    }
  });
});
