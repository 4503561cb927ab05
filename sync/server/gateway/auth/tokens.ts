/**
 * Access tokens: short-lived HS256 JWTs with Supabase-style claims, so the same token can be set as
 * `request.jwt.claims` for RLS (auth.uid() reads `sub`) and would be understood by Supabase tooling.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { ROLES, type Role } from '../../../../shared/schema/roles.js';
import { TokenExpiredError, TokenInvalidError } from './errors.js';

export const TOKEN_ISSUER = 'fieldline';
export const TOKEN_AUDIENCE = 'authenticated';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/** Covers clock skew between gateway copies; small, so an expired token is not usable for long. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export type TokenUser = { id: string; email: string };

/** What one access token is issued for: the refresh family and the user's memberships. */
export type TokenGrant = {
  sessionId: string;
  /** The membership the token acts for unless a request picks another (`org_id`). */
  organizationId: string;
  organizations: { id: string; role: Role }[];
};

const uuid = z.guid();

const claimsSchema = z.object({
  sub: uuid,
  role: z.literal('authenticated'),
  aud: z.literal(TOKEN_AUDIENCE),
  iss: z.literal(TOKEN_ISSUER),
  email: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
  /** Unique per token, so two tokens issued within one second never compare equal. */
  jti: uuid,
  session_id: uuid,
  org_id: uuid,
  app_metadata: z.object({ organizations: z.array(z.object({ id: uuid, role: z.enum(ROLES) })) }),
});

/** The verified claims; assignable to db/as-user.ts `Claims`, so they can go straight to asUser(). */
export type AccessTokenClaims = z.infer<typeof claimsSchema>;

export type IssuedAccessToken = { token: string; expiresIn: number; claims: AccessTokenClaims };

export async function issueAccessToken(
  user: TokenUser,
  grant: TokenGrant,
  secret: Uint8Array,
  { ttlSeconds = ACCESS_TOKEN_TTL_SECONDS, now = new Date() }: { ttlSeconds?: number; now?: Date } = {},
): Promise<IssuedAccessToken> {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: AccessTokenClaims = {
    sub: user.id,
    role: 'authenticated',
    aud: TOKEN_AUDIENCE,
    iss: TOKEN_ISSUER,
    email: user.email,
    iat,
    exp: iat + ttlSeconds,
    jti: randomUUID(),
    session_id: grant.sessionId,
    org_id: grant.organizationId,
    app_metadata: { organizations: grant.organizations.map((o) => ({ id: o.id, role: o.role })) },
  };
  const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
  return { token, expiresIn: ttlSeconds, claims };
}

/**
 * Accepts only HS256 tokens signed with `secret` for our issuer and audience. Everything else
 * (alg "none", other algorithms, bad signatures, malformed or incomplete claims) is a
 * TokenInvalidError; an expired token is a TokenExpiredError, so a client knows to refresh.
 */
export async function verifyAccessToken(
  token: string,
  secret: Uint8Array,
  { now }: { now?: Date } = {},
): Promise<AccessTokenClaims> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp', 'iat'],
      ...(now ? { currentDate: now } : {}),
    }));
  } catch (e) {
    if (e instanceof errors.JWTExpired) throw new TokenExpiredError();
    if (e instanceof errors.JOSEError) throw new TokenInvalidError(invalidReason(e));
    throw e;
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) throw new TokenInvalidError('The access token lacks claims the gateway needs.');
  return parsed.data;
}

function invalidReason(e: errors.JOSEError): string {
  if (e instanceof errors.JOSEAlgNotAllowed) return 'The access token is not signed with HS256.';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'The access token signature does not match.';
  if (e instanceof errors.JWTClaimValidationFailed) return `The access token's "${e.claim}" claim is not accepted.`;
  return 'The access token is malformed.';
}
