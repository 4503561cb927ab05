/** The session store against a real Postgres with the demo data. */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, userClaims } from '../../db/as-user.js';
import {
  AuthError,
  InvalidCredentialsError,
  NoMembershipError,
  NotAMemberError,
  RefreshTokenExpiredError,
  RefreshTokenInvalidError,
  RefreshTokenReusedError,
  SessionRevokedError,
  UserDisabledError,
} from './errors.js';
import { type AuthTestDatabase, DEMO_PASSWORD, createAuthTestDatabase } from './test-support.js';
import { REFRESH_RETRY_GRACE_SECONDS } from './sessions.js';
import { verifyAccessToken } from './tokens.js';

let t: AuthTestDatabase;

beforeAll(async () => {
  t = await createAuthTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

async function failure(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AuthError) return e;
    throw e;
  }
  throw new Error('expected an AuthError');
}

type TokenRow = {
  family_id: string;
  organization_id: string;
  used_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
};
async function tokenRow(refreshToken: string): Promise<TokenRow> {
  const { rows } = await t.admin.query<TokenRow>(
    'select family_id, organization_id, used_at, revoked_at, revoked_reason from app.refresh_tokens where token_hash = $1',
    [sha256(refreshToken)],
  );
  return rows[0]!;
}

describe('login', () => {
  it('signs a demo user in and records only a hash of the refresh token', async () => {
    const demo = t.demoUsers.find((u) => u.email === 'dispatch@northwind.test')!;
    const s = await t.sessions.login('dispatch@northwind.test', DEMO_PASSWORD, {
      userAgent: 'vitest',
      ip: '::ffff:127.0.0.1',
    });
    expect(s.user).toEqual({ id: demo.id, email: demo.email, display_name: demo.display_name });
    expect(s.memberships).toEqual([
      { organization_id: t.orgs.northwind, organization_name: 'Northwind Security', role: 'dispatcher' },
    ]);
    expect(s.expires_in).toBe(900);
    expect(s.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const claims = await verifyAccessToken(s.access_token, t.secret);
    expect(claims).toMatchObject({ sub: demo.id, org_id: t.orgs.northwind, email: demo.email });
    const row = await tokenRow(s.refresh_token);
    expect(row).toMatchObject({ family_id: claims.session_id, organization_id: t.orgs.northwind, used_at: null });
    const { rows } = await t.admin.query(
      'select user_agent, host(ip) as ip from app.refresh_tokens where token_hash = $1',
      [sha256(s.refresh_token)],
    );
    expect(rows).toEqual([{ user_agent: 'vitest', ip: '::ffff:127.0.0.1' }]);
    const signedIn = await t.admin.query<{ last_sign_in_at: Date }>(
      'select last_sign_in_at from app.users where id = $1',
      [demo.id],
    );
    expect(Date.now() - signedIn.rows[0]!.last_sign_in_at.getTime()).toBeLessThan(60_000);
  });

  it('compares emails case-insensitively and ignores surrounding spaces', async () => {
    const s = await t.sessions.login('  Tech@NorthWind.TEST ', DEMO_PASSWORD);
    expect(s.user.email).toBe('tech@northwind.test');
  });

  it('gives a wrong password and an unknown email the same error, after similar work', async () => {
    const wrong = await failure(t.sessions.login('admin@contoso.test', 'not-the-password'));
    const unknown = await failure(t.sessions.login('nobody@contoso.test', 'not-the-password'));
    expect(wrong).toBeInstanceOf(InvalidCredentialsError);
    expect(unknown).toBeInstanceOf(InvalidCredentialsError);
    expect(unknown.message).toBe(wrong.message);

    const time = async (email: string) => {
      const started = performance.now();
      await failure(t.sessions.login(email, 'not-the-password'));
      return performance.now() - started;
    };
    const wrongTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrongTimes.push(await time('admin@contoso.test'));
      unknownTimes.push(await time(`nobody${i}@contoso.test`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[2]!;
    // Both are dominated by one scrypt verification; without the dummy hash an unknown email would be ~100x faster.
    expect(median(unknownTimes) / median(wrongTimes)).toBeGreaterThan(0.5);
    expect(median(unknownTimes) / median(wrongTimes)).toBeLessThan(2);
  });

  it('refuses a disabled user, saying so only to someone who knows the password', async () => {
    const u = await t.addUser([{ org: 'northwind', role: 'technician' }]);
    await t.admin.query('update app.users set disabled_at = now() where id = $1', [u.id]);
    expect(await failure(t.sessions.login(u.email, DEMO_PASSWORD))).toBeInstanceOf(UserDisabledError);
    expect(await failure(t.sessions.login(u.email, 'wrong'))).toBeInstanceOf(InvalidCredentialsError);
  });

  it('refuses a user with no active membership', async () => {
    const none = await t.addUser([]);
    const suspended = await t.addUser([{ org: 'contoso', role: 'technician', status: 'suspended' }]);
    for (const u of [none, suspended]) {
      const err = await failure(t.sessions.login(u.email, DEMO_PASSWORD));
      expect(err).toBeInstanceOf(NoMembershipError);
      expect(err).toMatchObject({ status: 403, code: 'no_membership' });
    }
  });
});

describe('refresh', () => {
  it('rotates: a new pair in the same session, and the presented token is spent', async () => {
    const first = await t.sessions.login('admin@northwind.test', DEMO_PASSWORD);
    const second = await t.sessions.refresh(first.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.user).toEqual(first.user);
    expect(second.memberships).toEqual(first.memberships);
    const [a, b] = await Promise.all([
      verifyAccessToken(first.access_token, t.secret),
      verifyAccessToken(second.access_token, t.secret),
    ]);
    expect(b.session_id).toBe(a.session_id);
    expect((await tokenRow(first.refresh_token)).used_at).not.toBeNull();
    expect(await tokenRow(second.refresh_token)).toMatchObject({ family_id: a.session_id, used_at: null });
    const third = await t.sessions.refresh(second.refresh_token);
    expect(third.refresh_token).not.toBe(second.refresh_token);
  });

  it('treats a replayed token as theft: it fails and the whole session is revoked', async () => {
    const first = await t.sessions.login('tech@contoso.test', DEMO_PASSWORD);
    const second = await t.sessions.refresh(first.refresh_token);
    // The client got `second` and used it: `first` presented now can only be a copy.
    const third = await t.sessions.refresh(second.refresh_token);
    const replay = await failure(t.sessions.refresh(first.refresh_token));
    expect(replay).toBeInstanceOf(RefreshTokenReusedError);
    expect(replay).toMatchObject({ status: 401, code: 'refresh_token_reused' });
    const newest = await failure(t.sessions.refresh(third.refresh_token));
    expect(newest).toBeInstanceOf(SessionRevokedError);
    expect(newest.message).toMatch(/reuse detected/);
    expect((await tokenRow(third.refresh_token)).revoked_reason).toBe('reuse_detected');
    // Other sessions of the same user are untouched.
    const other = await t.sessions.login('tech@contoso.test', DEMO_PASSWORD);
    await expect(t.sessions.refresh(other.refresh_token)).resolves.toBeTruthy();
  });

  it('a refresh retried because its answer was lost gets a fresh pair; the lost pair is superseded', async () => {
    const first = await t.sessions.login('tech@contoso.test', DEMO_PASSWORD);
    const lost = await t.sessions.refresh(first.refresh_token); // this answer never reaches the client
    const retried = await t.sessions.refresh(first.refresh_token);
    expect(retried.refresh_token).not.toBe(lost.refresh_token);
    expect(await tokenRow(lost.refresh_token)).toMatchObject({ revoked_reason: 'superseded' });
    // The superseded token is refused without ending the session; the retried pair carries on.
    expect(await failure(t.sessions.refresh(lost.refresh_token))).toBeInstanceOf(SessionRevokedError);
    await expect(t.sessions.refresh(retried.refresh_token)).resolves.toBeTruthy();
  });

  it('after the retry grace period, a used token presented again is theft', async () => {
    const first = await t.sessions.login('tech@contoso.test', DEMO_PASSWORD);
    const second = await t.sessions.refresh(first.refresh_token);
    await t.admin.query(
      `update app.refresh_tokens set used_at = now() - make_interval(secs => $2) where token_hash = $1`,
      [sha256(first.refresh_token), REFRESH_RETRY_GRACE_SECONDS + 1],
    );
    expect(await failure(t.sessions.refresh(first.refresh_token))).toBeInstanceOf(RefreshTokenReusedError);
    expect(await failure(t.sessions.refresh(second.refresh_token))).toBeInstanceOf(SessionRevokedError);
  });

  it('two concurrent refreshes of one token: the later one wins, the earlier pair is superseded, the session lives', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await t.sessions.login('tech2@northwind.test', DEMO_PASSWORD);
      const results = await Promise.all([t.sessions.refresh(s.refresh_token), t.sessions.refresh(s.refresh_token)]);
      const rows = await Promise.all(results.map((r) => tokenRow(r.refresh_token)));
      // Serialised by the family lock: exactly one pair survives.
      expect(rows.map((r) => r.revoked_reason).sort()).toEqual([null, 'superseded']);
      const survivor = results[rows.findIndex((r) => r.revoked_reason === null)]!;
      await expect(t.sessions.refresh(survivor.refresh_token)).resolves.toBeTruthy();
    }
  });

  it('refuses an expired refresh token', async () => {
    const s = await t.sessions.login('admin@contoso.test', DEMO_PASSWORD);
    await t.admin.query(
      `update app.refresh_tokens set issued_at = now() - interval '31 days', expires_at = now() - interval '1 second'
       where token_hash = $1`,
      [sha256(s.refresh_token)],
    );
    const err = await failure(t.sessions.refresh(s.refresh_token));
    expect(err).toBeInstanceOf(RefreshTokenExpiredError);
    expect(err).toMatchObject({ status: 401, code: 'refresh_token_expired' });
  });

  it('refuses unknown and malformed refresh tokens', async () => {
    for (const token of [crypto.randomBytes(32).toString('base64url'), 'short', 'x'.repeat(43) + '!', '']) {
      expect(await failure(t.sessions.refresh(token))).toBeInstanceOf(RefreshTokenInvalidError);
    }
  });
});

describe('logout', () => {
  it('revokes the session, and is idempotent', async () => {
    const s = await t.sessions.login('dispatch@northwind.test', DEMO_PASSWORD);
    const next = await t.sessions.refresh(s.refresh_token);
    await t.sessions.logout(next.refresh_token);
    const err = await failure(t.sessions.refresh(next.refresh_token));
    expect(err).toBeInstanceOf(SessionRevokedError);
    expect(err.message).toMatch(/\(logout\)/);
    await t.sessions.logout(next.refresh_token);
    await t.sessions.logout(crypto.randomBytes(32).toString('base64url'));
    await t.sessions.logout('garbage');
  });
});

describe('membership changes', () => {
  it('a member removed by an admin (under RLS) can no longer refresh, sign in, or pass resolveMembership', async () => {
    const u = await t.addUser([{ org: 'northwind', role: 'technician' }]);
    const s = await t.sessions.login(u.email, DEMO_PASSWORD);
    await expect(t.sessions.resolveMembership(u.id)).resolves.toMatchObject({ organization_id: t.orgs.northwind });
    const adminId = t.demoUsers.find((d) => d.email === 'admin@northwind.test')!.id;
    const removed = await asUser(t.admin, userClaims(adminId), (c) =>
      c.query('delete from organization_members where user_id = $1', [u.id]),
    );
    expect(removed.rowCount).toBe(1);

    expect((await tokenRow(s.refresh_token)).revoked_reason).toBe('membership_removed');
    expect(await failure(t.sessions.refresh(s.refresh_token))).toBeInstanceOf(SessionRevokedError);
    expect(await failure(t.sessions.login(u.email, DEMO_PASSWORD))).toBeInstanceOf(NoMembershipError);
    expect(await failure(t.sessions.resolveMembership(u.id))).toBeInstanceOf(NoMembershipError);
    // Their access token still verifies (it is self-contained) but names an organization they left.
    const claims = await verifyAccessToken(s.access_token, t.secret);
    expect(await failure(t.sessions.resolveMembership(claims.sub, claims.org_id))).toBeInstanceOf(NotAMemberError);
  });

  it('suspension revokes sessions; lifting it lets the member sign in again', async () => {
    const u = await t.addUser([{ org: 'contoso', role: 'technician' }]);
    const s = await t.sessions.login(u.email, DEMO_PASSWORD);
    await t.admin.query(`update organization_members set status = 'suspended' where user_id = $1`, [u.id]);
    expect((await tokenRow(s.refresh_token)).revoked_reason).toBe('membership_suspended');
    expect(await failure(t.sessions.refresh(s.refresh_token))).toBeInstanceOf(SessionRevokedError);
    expect(await failure(t.sessions.resolveMembership(u.id, t.orgs.contoso))).toBeInstanceOf(NotAMemberError);
    await t.admin.query(`update organization_members set status = 'active' where user_id = $1`, [u.id]);
    await expect(t.sessions.login(u.email, DEMO_PASSWORD)).resolves.toBeTruthy();
  });

  it('with two memberships: leaving the other one keeps the session, leaving the session’s own ends it', async () => {
    const u = await t.addUser([
      { org: 'contoso', role: 'admin' },
      { org: 'northwind', role: 'dispatcher' },
    ]);
    const s = await t.sessions.login(u.email, DEMO_PASSWORD);
    expect(s.memberships.map((m) => [m.organization_name, m.role])).toEqual([
      ['Contoso Alarm', 'admin'],
      ['Northwind Security', 'dispatcher'],
    ]);
    const claims = await verifyAccessToken(s.access_token, t.secret);
    expect(claims.org_id).toBe(t.orgs.contoso);
    expect(claims.app_metadata.organizations).toEqual([
      { id: t.orgs.contoso, role: 'admin' },
      { id: t.orgs.northwind, role: 'dispatcher' },
    ]);
    await expect(t.sessions.resolveMembership(u.id, t.orgs.northwind)).resolves.toEqual({
      user_id: u.id,
      organization_id: t.orgs.northwind,
      organization_name: 'Northwind Security',
      role: 'dispatcher',
    });
    await expect(t.sessions.resolveMembership(u.id)).resolves.toMatchObject({ organization_id: t.orgs.contoso });

    await t.admin.query('delete from organization_members where user_id = $1 and organization_id = $2', [
      u.id,
      t.orgs.northwind,
    ]);
    expect(await failure(t.sessions.resolveMembership(u.id, t.orgs.northwind))).toBeInstanceOf(NotAMemberError);
    const refreshed = await t.sessions.refresh(s.refresh_token);
    expect(refreshed.memberships.map((m) => m.organization_id)).toEqual([t.orgs.contoso]);
    expect((await verifyAccessToken(refreshed.access_token, t.secret)).app_metadata.organizations).toEqual([
      { id: t.orgs.contoso, role: 'admin' },
    ]);

    await t.admin.query('delete from organization_members where user_id = $1', [u.id]);
    expect(await failure(t.sessions.refresh(refreshed.refresh_token))).toBeInstanceOf(SessionRevokedError);
  });

  it('disabling a user revokes their sessions and fails resolveMembership', async () => {
    const u = await t.addUser([{ org: 'northwind', role: 'dispatcher' }]);
    const s = await t.sessions.login(u.email, DEMO_PASSWORD);
    await t.admin.query('update app.users set disabled_at = now() where id = $1', [u.id]);
    expect((await tokenRow(s.refresh_token)).revoked_reason).toBe('user_disabled');
    expect(await failure(t.sessions.refresh(s.refresh_token))).toBeInstanceOf(SessionRevokedError);
    expect(await failure(t.sessions.resolveMembership(u.id))).toBeInstanceOf(UserDisabledError);
  });

  it('resolveMembership refuses organizations the user does not hold, and malformed ids', async () => {
    const tech = t.demoUsers.find((d) => d.email === 'tech@northwind.test')!;
    const err = await failure(t.sessions.resolveMembership(tech.id, t.orgs.contoso));
    expect(err).toBeInstanceOf(NotAMemberError);
    expect(err).toMatchObject({ status: 403, code: 'not_a_member' });
    expect(await failure(t.sessions.resolveMembership(tech.id, 'contoso'))).toBeInstanceOf(NotAMemberError);
    expect(await failure(t.sessions.resolveMembership(crypto.randomUUID()))).toBeInstanceOf(NoMembershipError);
    expect(await failure(t.sessions.resolveMembership('not-a-uuid'))).toBeInstanceOf(NoMembershipError);
  });
});

describe('app.refresh_tokens', () => {
  it('is out of reach of the role requests run as', async () => {
    const tech = t.demoUsers.find((d) => d.email === 'tech@northwind.test')!;
    const { rows } = await t.admin.query<{ can: boolean }>(
      `select bool_or(has_table_privilege('authenticated', 'app.refresh_tokens', p)) as can
       from unnest(array['select', 'insert', 'update', 'delete']) p`,
    );
    expect(rows[0]!.can).toBe(false);
    await expect(
      asUser(t.admin, userClaims(tech.id), (c) => c.query('select count(*) from app.refresh_tokens')),
    ).rejects.toMatchObject({ code: '42501' }); // insufficient_privilege
  });
});
