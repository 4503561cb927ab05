/**
 * Sign-in sessions over Postgres: login, refresh-token rotation with theft detection, logout, and
 * the per-request membership check. See migrations/postgres/0005_auth_sessions.sql for the table.
 *
 * Runs on the gateway's operator pool (not as `authenticated`): app.users and app.refresh_tokens
 * are never granted to the role requests run as.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import type pg from 'pg';
import type { Role } from '../../../../shared/schema/roles.js';
import { hashPassword, verifyPassword } from '../../auth/password.js';
import {
  type AuthError,
  InvalidCredentialsError,
  NoMembershipError,
  NotAMemberError,
  RefreshTokenExpiredError,
  RefreshTokenInvalidError,
  RefreshTokenReusedError,
  SessionRevokedError,
  UserDisabledError,
} from './errors.js';
import { ACCESS_TOKEN_TTL_SECONDS, issueAccessToken } from './tokens.js';

/** Long enough for a technician to work offline for weeks; each refresh starts a new period. */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export type Membership = { organization_id: string; organization_name: string; role: Role };
export type ActiveMembership = Membership & { user_id: string };

/** The body of a successful POST /v1/auth/login or /v1/auth/refresh (DESIGN.md, gateway HTTP API). */
export type SessionTokens = {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user: { id: string; email: string; display_name: string };
  memberships: Membership[];
};

/** Recorded with the refresh token, for an operator looking at a user's sessions. */
export type ClientMeta = { userAgent?: string | undefined; ip?: string | undefined };

export type AuthSessionsOptions = {
  pool: pg.Pool;
  secret: Uint8Array;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
};

export type AuthSessions = {
  login(email: string, password: string, meta?: ClientMeta): Promise<SessionTokens>;
  refresh(refreshToken: string, meta?: ClientMeta): Promise<SessionTokens>;
  /** Ends the session (the whole refresh family). Unknown tokens are ignored: logging out is idempotent. */
  logout(refreshToken: string): Promise<void>;
  /**
   * The user's active membership in `organizationId`, or (without one) their first. Call it on every
   * request: access tokens live 15 minutes, memberships can end at any moment.
   */
  resolveMembership(userId: string, organizationId?: string): Promise<ActiveMembership>;
};

type RevokeReason = 'logout' | 'reuse_detected' | 'membership_removed' | 'no_membership' | 'user_disabled';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 32 random bytes, base64url: exactly what newRefreshToken() makes. */
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const newRefreshToken = () => crypto.randomBytes(32).toString('base64url');
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

// Memberships in a stable order; the first is the default organization. FOR SHARE makes a concurrent
// removal or suspension wait for this transaction, so its revoke trigger also sees the token issued here.
const ACTIVE_MEMBERSHIPS_LOCKED = `
  select m.organization_id, o.name as organization_name, m.role
  from public.organization_members m
  join public.organizations o on o.id = m.organization_id
  where m.user_id = $1 and m.status = 'active'
  order by m.joined_at, o.name, m.organization_id
  for share of m`;

const INSERT_REFRESH_TOKEN = `
  insert into app.refresh_tokens (user_id, family_id, organization_id, token_hash, expires_at, user_agent, ip)
  values ($1, $2, $3, $4, now() + make_interval(secs => $5), $6, $7)`;

const REVOKE_FAMILY = `
  update app.refresh_tokens set revoked_at = now(), revoked_reason = $2
  where family_id = $1 and revoked_at is null`;

// Serialises everything that touches one family (rotation, replay revocation, logout), so a revocation
// can never miss a token that a concurrent rotation is inserting.
const LOCK_FAMILY = `select pg_advisory_xact_lock(hashtextextended('fieldline.refresh_family:' || $1, 0))`;

export function createAuthSessions({
  pool,
  secret,
  accessTokenTtlSeconds = ACCESS_TOKEN_TTL_SECONDS,
  refreshTokenTtlSeconds = REFRESH_TOKEN_TTL_SECONDS,
}: AuthSessionsOptions): AuthSessions {
  // Unknown emails are checked against this, so they cost the same scrypt work as a wrong password.
  const dummyHash = hashPassword(crypto.randomBytes(16).toString('hex'));

  async function issue(
    c: pg.ClientBase,
    user: { id: string; email: string; display_name: string },
    memberships: Membership[],
    family: { id: string; organizationId: string },
    meta: ClientMeta,
  ): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    await c.query(INSERT_REFRESH_TOKEN, [
      user.id,
      family.id,
      family.organizationId,
      hashToken(refreshToken),
      refreshTokenTtlSeconds,
      meta.userAgent?.slice(0, 512) ?? null,
      normaliseIp(meta.ip),
    ]);
    const access = await issueAccessToken(
      user,
      {
        sessionId: family.id,
        organizationId: family.organizationId,
        organizations: memberships.map((m) => ({ id: m.organization_id, role: m.role })),
      },
      secret,
      { ttlSeconds: accessTokenTtlSeconds },
    );
    return {
      access_token: access.token,
      refresh_token: refreshToken,
      expires_in: access.expiresIn,
      user: { id: user.id, email: user.email, display_name: user.display_name },
      memberships,
    };
  }

  return {
    async login(email, password, meta = {}) {
      const { rows } = await pool.query<{ id: string; email: string; display_name: string; password_hash: string }>(
        'select id, email, display_name, password_hash from app.users where email = $1',
        [normaliseEmail(email)],
      );
      const user = rows[0];
      const passwordOk = await verifyPassword(password, user?.password_hash ?? (await dummyHash));
      if (!user || !passwordOk) throw new InvalidCredentialsError();
      // Only someone who knows the password learns that the account is disabled or has no membership.
      return inTransaction(pool, async (c) => {
        const signIn = await c.query<{ disabled: boolean }>(
          'update app.users set last_sign_in_at = now() where id = $1 returning disabled_at is not null as disabled',
          [user.id],
        );
        const state = signIn.rows[0];
        if (!state) throw new InvalidCredentialsError(); // deleted a moment ago
        if (state.disabled) throw new UserDisabledError();
        const memberships = (await c.query<Membership>(ACTIVE_MEMBERSHIPS_LOCKED, [user.id])).rows;
        const first = memberships[0];
        if (!first) throw new NoMembershipError();
        return issue(c, user, memberships, { id: crypto.randomUUID(), organizationId: first.organization_id }, meta);
      });
    },

    async refresh(refreshToken, meta = {}) {
      if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) throw new RefreshTokenInvalidError();
      const hash = hashToken(refreshToken);
      const outcome = await inTransaction(pool, async (c): Promise<SessionTokens | AuthError> => {
        const family = await lockFamilyOf(c, hash);
        if (!family) return new RefreshTokenInvalidError();
        // Locks in the same order as the revoke triggers (user, memberships, tokens) to avoid deadlocks.
        const user = (
          await c.query<{ id: string; email: string; display_name: string; disabled: boolean }>(
            'select id, email, display_name, disabled_at is not null as disabled from app.users where id = $1 for share',
            [family.userId],
          )
        ).rows[0];
        if (!user) return new RefreshTokenInvalidError(); // deleted a moment ago, tokens and all
        const memberships = (await c.query<Membership>(ACTIVE_MEMBERSHIPS_LOCKED, [user.id])).rows;
        // Re-read under the family lock: a concurrent refresh of this token has committed by now.
        const token = (
          await c.query<{
            id: string;
            organization_id: string;
            used: boolean;
            revoked_reason: string | null;
            revoked: boolean;
            expired: boolean;
          }>(
            `select id, organization_id, used_at is not null as used, revoked_at is not null as revoked,
                    revoked_reason, expires_at <= now() as expired
             from app.refresh_tokens where token_hash = $1 for update`,
            [hash],
          )
        ).rows[0];
        if (!token) return new RefreshTokenInvalidError();

        const revoke = async (reason: RevokeReason, error: AuthError) => {
          await c.query(REVOKE_FAMILY, [family.id, reason]);
          return error; // returned, not thrown, so the revocation commits
        };
        if (token.revoked) return new SessionRevokedError(token.revoked_reason);
        if (token.used) {
          if (!(await supersedeLostAnswer(c, family.id, token.id)))
            return revoke('reuse_detected', new RefreshTokenReusedError());
        }
        if (token.expired) return new RefreshTokenExpiredError();
        if (user.disabled) return revoke('user_disabled', new UserDisabledError());
        if (!memberships.length) return revoke('no_membership', new NoMembershipError());
        if (!memberships.some((m) => m.organization_id === token.organization_id)) {
          return revoke('membership_removed', new SessionRevokedError('membership_removed'));
        }
        await c.query('update app.refresh_tokens set used_at = coalesce(used_at, now()) where id = $1', [token.id]);
        return issue(c, user, memberships, { id: family.id, organizationId: token.organization_id }, meta);
      });
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },

    async logout(refreshToken) {
      if (!REFRESH_TOKEN_SHAPE.test(refreshToken)) return;
      await inTransaction(pool, async (c) => {
        const family = await lockFamilyOf(c, hashToken(refreshToken));
        if (family) await c.query(REVOKE_FAMILY, [family.id, 'logout']);
      });
    },

    async resolveMembership(userId, organizationId) {
      if (organizationId !== undefined && !UUID.test(organizationId)) throw new NotAMemberError(organizationId);
      if (!UUID.test(userId)) throw new NoMembershipError();
      const { rows } = await pool.query<ActiveMembership & { disabled: boolean }>(
        `select m.user_id, m.organization_id, o.name as organization_name, m.role, u.disabled_at is not null as disabled
         from public.organization_members m
         join public.organizations o on o.id = m.organization_id
         join app.users u on u.id = m.user_id
         where m.user_id = $1 and m.status = 'active' and ($2::uuid is null or m.organization_id = $2::uuid)
         order by m.joined_at, o.name, m.organization_id
         limit 1`,
        [userId, organizationId ?? null],
      );
      const row = rows[0];
      if (!row) throw organizationId ? new NotAMemberError(organizationId) : new NoMembershipError();
      if (row.disabled) throw new UserDisabledError();
      return {
        user_id: row.user_id,
        organization_id: row.organization_id,
        organization_name: row.organization_name,
        role: row.role,
      };
    },
  };
}

/**
 * How long after a refresh its token may be presented again without ending the session: the answer
 * to a refresh can be lost (a dropped connection, a timeout on a field laptop), and the client then
 * retries with the token it still holds. Replay detection would otherwise log the user out.
 */
export const REFRESH_RETRY_GRACE_SECONDS = 30;

/**
 * A used token presented again. When it was used moments ago and nothing issued from it has been
 * used since (the answer never reached its client), its unused successors are revoked as
 * `superseded` and true lets the refresh proceed. Otherwise it is a replay.
 */
async function supersedeLostAnswer(c: pg.PoolClient, familyId: string, tokenId: string): Promise<boolean> {
  const { rows } = await c.query<{ ok: boolean }>(
    `select t.used_at > now() - make_interval(secs => $3)
            and not exists (select 1 from app.refresh_tokens s
                            where s.family_id = $1 and s.issued_at >= t.used_at and s.used_at is not null)
              as ok
     from app.refresh_tokens t where t.id = $2`,
    [familyId, tokenId, REFRESH_RETRY_GRACE_SECONDS],
  );
  if (!rows[0]?.ok) return false;
  await c.query(
    `update app.refresh_tokens s set revoked_at = now(), revoked_reason = 'superseded'
     from app.refresh_tokens t
     where t.id = $2 and s.family_id = $1 and s.issued_at >= t.used_at and s.id <> t.id
       and s.used_at is null and s.revoked_at is null`,
    [familyId, tokenId],
  );
  return true;
}

/** The family (and user) of the token with this hash, locked for this transaction; undefined for an unknown token. */
async function lockFamilyOf(c: pg.ClientBase, tokenHash: string): Promise<{ id: string; userId: string } | undefined> {
  const { rows } = await c.query<{ family_id: string; user_id: string }>(
    'select family_id, user_id from app.refresh_tokens where token_hash = $1',
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return undefined;
  await c.query(LOCK_FAMILY, [row.family_id]);
  return { id: row.family_id, userId: row.user_id };
}

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken = false;
  try {
    await c.query('begin');
    const result = await fn(c);
    await c.query('commit');
    return result;
  } catch (e) {
    await c.query('rollback').catch(() => {
      broken = true; // a connection that cannot roll back must not go back to the pool
    });
    throw e;
  } finally {
    c.release(broken);
  }
}

/** app.users.email is stored lower-case (a check constraint), so compare lower-case. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Postgres inet takes no IPv6 zone ("%eth0"); anything that is not an address is not recorded. */
function normaliseIp(ip: string | undefined): string | null {
  const bare = ip?.split('%')[0];
  return bare && net.isIP(bare) ? bare : null;
}
