/**
 * Every way authentication can fail, as typed errors carrying a stable `code` (what clients switch
 * on) and the HTTP `status` the gateway answers with. They are HttpErrors, so any gateway route can
 * send them with sendFailure(). Messages are for the person at the screen and never reveal whether
 * an email exists.
 */
import { HttpError } from '../http-utils.js';

export type AuthErrorCode =
  | 'invalid_credentials'
  | 'user_disabled'
  | 'no_membership'
  | 'not_a_member'
  | 'invalid_token'
  | 'token_expired'
  | 'invalid_refresh_token'
  | 'refresh_token_expired'
  | 'refresh_token_reused'
  | 'session_revoked'
  | 'rate_limited';

export class AuthError extends HttpError {
  constructor(
    status: 401 | 403 | 429,
    override readonly code: AuthErrorCode,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(status, code, message, headers);
  }
}

/** Wrong email or wrong password: one error for both, so neither can be probed. */
export class InvalidCredentialsError extends AuthError {
  constructor() {
    super(401, 'invalid_credentials', 'Email or password is incorrect.');
  }
}

export class UserDisabledError extends AuthError {
  constructor() {
    super(403, 'user_disabled', 'This account is disabled. Ask an administrator of your organization to re-enable it.');
  }
}

export class NoMembershipError extends AuthError {
  constructor() {
    super(
      403,
      'no_membership',
      'This account is not an active member of any organization. Ask an administrator to add you (or lift a suspension).',
    );
  }
}

/** The request named (or the token defaulted to) an organization the user is not an active member of. */
export class NotAMemberError extends AuthError {
  constructor(readonly organizationId: string) {
    super(
      403,
      'not_a_member',
      `You are not an active member of organization ${organizationId}. Pick one of your memberships, or sign in again.`,
    );
  }
}

// RFC 6750 §3: a bearer-token failure says so in www-authenticate.
const bearerChallenge = (code: string) => ({
  'www-authenticate': `Bearer error="invalid_token", error_description="${code}"`,
});

export class TokenInvalidError extends AuthError {
  constructor(detail = 'The access token is not valid.') {
    super(401, 'invalid_token', `${detail} Sign in again, or refresh the token.`, bearerChallenge('invalid_token'));
  }
}

export class TokenExpiredError extends AuthError {
  constructor() {
    super(
      401,
      'token_expired',
      'The access token has expired. Refresh it with POST /v1/auth/refresh.',
      bearerChallenge('token_expired'),
    );
  }
}

export class RefreshTokenInvalidError extends AuthError {
  constructor() {
    super(401, 'invalid_refresh_token', 'The refresh token is not recognised. Sign in again.');
  }
}

export class RefreshTokenExpiredError extends AuthError {
  constructor() {
    super(401, 'refresh_token_expired', 'The session has expired. Sign in again.');
  }
}

/** A refresh token was presented after it had already been exchanged: possible theft. */
export class RefreshTokenReusedError extends AuthError {
  constructor() {
    super(
      401,
      'refresh_token_reused',
      'This refresh token was already used, so the session has been ended on every device that shared it. Sign in again.',
    );
  }
}

export class SessionRevokedError extends AuthError {
  constructor(readonly reason: string | null) {
    super(
      401,
      'session_revoked',
      `This session was ended${reason ? ` (${reason.replaceAll('_', ' ')})` : ''}. Sign in again.`,
    );
  }
}

export class RateLimitedError extends AuthError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many sign-in attempts. Try again in ${retryAfterSeconds} s.`, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}
