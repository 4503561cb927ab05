/**
 * What every authenticated gateway route (shapes, mutations, files) does first: verify the bearer
 * token, then check the membership in Postgres, so a member removed a minute ago is refused even
 * though their access token is still within its 15 minutes.
 */
import type http from 'node:http';
import { TokenInvalidError } from './errors.js';
import type { ActiveMembership, AuthSessions } from './sessions.js';
import { type AccessTokenClaims, verifyAccessToken } from './tokens.js';

export type AuthenticatedRequest = { claims: AccessTokenClaims; membership: ActiveMembership };

/** The token from `Authorization: Bearer <token>`, or TokenInvalidError. */
export function bearerToken(req: http.IncomingMessage): string {
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(req.headers.authorization ?? '');
  if (!match) throw new TokenInvalidError('Send the access token as "Authorization: Bearer <access_token>".');
  return match[1]!;
}

/**
 * Verifies the request's access token and resolves the membership it acts in: `organizationId` when
 * the request picks one (e.g. the shape route's `organization_id` parameter), else the token's org_id.
 * Throws AuthError subclasses (401 for the token, 403 for the membership); send them with sendFailure().
 */
export async function authenticateRequest(
  req: http.IncomingMessage,
  deps: { secret: Uint8Array; sessions: Pick<AuthSessions, 'resolveMembership'> },
  organizationId?: string,
): Promise<AuthenticatedRequest> {
  const claims = await verifyAccessToken(bearerToken(req), deps.secret);
  const membership = await deps.sessions.resolveMembership(claims.sub, organizationId ?? claims.org_id);
  return { claims, membership };
}

/**
 * The two calls a route needs, as one object: token verification (user id and default organization)
 * and the per-request membership check. Shaped for the shape proxy's and mutation endpoint's deps.
 */
export function gatewayAuth(deps: { secret: Uint8Array; sessions: Pick<AuthSessions, 'resolveMembership'> }) {
  return {
    async verify(token: string): Promise<{ userId: string; organizationId: string; claims: AccessTokenClaims }> {
      const claims = await verifyAccessToken(token, deps.secret);
      return { userId: claims.sub, organizationId: claims.org_id, claims };
    },
    membership: (userId: string, organizationId?: string): Promise<ActiveMembership> =>
      deps.sessions.resolveMembership(userId, organizationId),
  };
}
