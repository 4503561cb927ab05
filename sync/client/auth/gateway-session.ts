/**
 * A signed-in session against the gateway (DESIGN.md, gateway HTTP API): login, access tokens that are
 * refreshed before they expire, and rotation of the refresh token.
 *
 * The gateway rotates refresh tokens and treats a second use of one as theft, revoking the whole
 * session. So every refresh here is single-flight: however many callers need a new token at once,
 * exactly one POST /v1/auth/refresh carries the current refresh token. Only an answer that ends the
 * session (SessionExpiredError) gives the tokens up; a network failure keeps them for a later retry.
 *
 * Tokens live in private fields, so logging or JSON-serialising a session shows none of them; no
 * message here contains a token or a password.
 */
import { z } from 'zod';
import { ROLES, type Role } from '../../../shared/schema/roles.js';

/** The pair to persist between runs (pass it to GatewaySession.resume). Times are epoch ms on this machine's clock. */
export type SessionTokens = {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, by this machine's clock (the request's start + the gateway's `expires_in`). */
  expiresAt: number;
  /** When the access token was requested; with expiresAt it gives the token's lifetime. */
  issuedAt: number;
};

/** Tokens as a host may have persisted them; issuedAt may be missing (the lifetime is then estimated). */
export type ResumableTokens = Omit<SessionTokens, 'issuedAt'> & { issuedAt?: number };

export type SessionMembership = { organizationId: string; organizationName: string; role: Role };

/** Who is signed in, from the login (and every refresh) answer. */
export type SessionUser = {
  id: string;
  email: string;
  displayName: string;
  /** Active memberships; the first is the organization the session acts in by default. */
  memberships: SessionMembership[];
};

export type GatewaySessionOptions = {
  fetch?: typeof fetch;
  /** Epoch ms; for tests. Default Date.now. */
  now?: () => number;
  /**
   * How long one auth request may take, ms (default 20 000). Generous on purpose: a refresh the
   * gateway completed but whose answer never arrived leaves this session holding a used refresh
   * token, and its next refresh then ends the session.
   */
  requestTimeoutMs?: number;
  /** Diagnostics (never tokens or passwords), e.g. a proactive refresh that failed while the token was still valid. */
  log?: (message: string) => void;
};

export type ResumeOptions = GatewaySessionOptions & {
  /** The user as last known (e.g. persisted with the tokens); otherwise `user` is undefined until the first refresh. */
  user?: SessionUser;
};

/** Refresh ahead of expiry by this much at most … */
export const MAX_REFRESH_MARGIN_MS = 30_000;
/** … and by at most this fraction of the token's lifetime, so a short-lived token is not refreshed on every use. */
export const REFRESH_MARGIN_FRACTION = 0.25;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** How long before expiry a token of this lifetime is refreshed: min(30 s, a quarter of the lifetime). */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.max(0, Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs * REFRESH_MARGIN_FRACTION));
}

/** Whether getToken() refreshes before answering: the access token expires within its margin (or has expired). */
export function needsRefresh(tokens: Pick<SessionTokens, 'expiresAt' | 'issuedAt'>, now: number): boolean {
  return now >= tokens.expiresAt - refreshMarginMs(tokens.expiresAt - tokens.issuedAt);
}

// ---------------------------------------------------------------------------------------------------
// Errors

export type GatewaySessionErrorCode =
  | 'invalid_credentials'
  | 'account_refused'
  | 'rate_limited'
  | 'session_expired'
  | 'gateway_unreachable'
  | 'gateway_response';

/** Base of every error this module throws for a gateway interaction; switch on `code`. */
export abstract class GatewaySessionError extends Error {
  abstract readonly code: GatewaySessionErrorCode;
}

/** Login refused: wrong email or password (the gateway does not say which). */
export class InvalidCredentialsError extends GatewaySessionError {
  readonly code = 'invalid_credentials';
  constructor() {
    super('Email or password is incorrect. Check both and try again.');
    this.name = 'InvalidCredentialsError';
  }
}

/** The password was right but the account may not sign in (disabled, or no active membership). */
export class AccountRefusedError extends GatewaySessionError {
  readonly code = 'account_refused';
  constructor(
    /** The gateway's code: `user_disabled`, `no_membership`, or another refusal. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'AccountRefusedError';
  }
}

/** Too many sign-in attempts; try again after `retryAfterSeconds`. */
export class RateLimitedError extends GatewaySessionError {
  readonly code = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many sign-in attempts. Wait ${retryAfterSeconds} s, then try again.`);
    this.name = 'RateLimitedError';
  }
}

/**
 * The session is over and cannot be refreshed: signed out, expired, revoked by an administrator, or
 * ended by the gateway because its refresh token was used twice. The user must sign in again; the
 * host should forget the persisted tokens.
 */
export class SessionExpiredError extends GatewaySessionError {
  readonly code = 'session_expired';
  constructor(
    /**
     * Why: the gateway's code (`refresh_token_reused`, `session_revoked`, `refresh_token_expired`,
     * `invalid_refresh_token`, `user_disabled`, `no_membership`) or `logged_out` for a local logout.
     */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'SessionExpiredError';
  }
}

/** The gateway could not be reached or is temporarily failing (network error, timeout, 5xx). Retry later; nothing was lost. */
export class GatewayUnreachableError extends GatewaySessionError {
  readonly code = 'gateway_unreachable';
  constructor(
    message: string,
    /** The HTTP status when the gateway (or a proxy) answered with an error; undefined for a network failure. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'GatewayUnreachableError';
  }
}

/** An answer this client does not understand: a wrong server address, a proxy or captive portal, or a gateway of another version. */
export class GatewayResponseError extends GatewaySessionError {
  readonly code = 'gateway_response';
  constructor(
    message: string,
    readonly status: number,
    /** The gateway's error code, when the answer carried one. */
    readonly serverCode?: string,
  ) {
    super(message);
    this.name = 'GatewayResponseError';
  }
}

// ---------------------------------------------------------------------------------------------------
// Wire format

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive().finite(),
  user: z.object({ id: z.string().min(1), email: z.string(), display_name: z.string() }),
  memberships: z.array(z.object({ organization_id: z.string(), organization_name: z.string(), role: z.enum(ROLES) })),
});

const errorResponseSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

type GatewayAnswer = { status: number; headers: Headers; json: unknown; isJson: boolean };

/** Longest gateway message passed on to a person; anything longer is not one of the gateway's messages. */
const MAX_SERVER_MESSAGE = 500;

const SESSION_ENDED_DEFAULT = 'Your session has ended. Sign in again.';

// ---------------------------------------------------------------------------------------------------

type Endpoint = '/v1/auth/login' | '/v1/auth/refresh' | '/v1/auth/logout';

export class GatewaySession {
  readonly serverUrl: string;
  #tokens: SessionTokens;
  #user: SessionUser | undefined;
  #refreshing: Promise<void> | undefined;
  #ended: SessionExpiredError | undefined;
  readonly #listeners = new Set<(tokens: SessionTokens, user: SessionUser) => void>();
  readonly #endListeners = new Set<(error: SessionExpiredError) => void>();
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #log: (message: string) => void;

  private constructor(
    serverUrl: string,
    tokens: SessionTokens,
    user: SessionUser | undefined,
    opts: GatewaySessionOptions,
  ) {
    this.serverUrl = serverUrl;
    this.#tokens = tokens;
    this.#user = user;
    this.#fetch = opts.fetch ?? globalThis.fetch;
    this.#now = opts.now ?? Date.now;
    this.#timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#log = opts.log ?? (() => {});
  }

  /**
   * Signs in. Throws InvalidCredentialsError, AccountRefusedError, RateLimitedError,
   * GatewayUnreachableError or GatewayResponseError.
   */
  static async login(
    serverUrl: string,
    email: string,
    password: string,
    opts: GatewaySessionOptions = {},
  ): Promise<GatewaySession> {
    const base = normaliseServerUrl(serverUrl);
    const now = opts.now ?? Date.now;
    const sentAt = now();
    const answer = await request(opts.fetch ?? globalThis.fetch, base, '/v1/auth/login', { email, password }, opts);
    if (answer.status === 200) {
      const { tokens, user } = parseTokenAnswer(answer, base, '/v1/auth/login', sentAt);
      return new GatewaySession(base, tokens, user, opts);
    }
    const error = errorOf(answer);
    if (answer.status === 401) throw new InvalidCredentialsError();
    if (answer.status === 403) {
      throw new AccountRefusedError(
        error?.code ?? 'forbidden',
        error?.message ?? 'This account may not sign in. Ask an administrator of your organization.',
      );
    }
    if (answer.status === 429) throw new RateLimitedError(retryAfterSeconds(answer.headers));
    throw unexpectedAnswer(answer, base, '/v1/auth/login');
  }

  /**
   * A session from persisted tokens, without a request: the access token is used while valid and
   * refreshed when needed. Throws TypeError for tokens that cannot be a session's.
   */
  static resume(serverUrl: string, tokens: ResumableTokens, opts: ResumeOptions = {}): GatewaySession {
    const base = normaliseServerUrl(serverUrl);
    const { accessToken, refreshToken, expiresAt } = tokens;
    if (typeof accessToken !== 'string' || !accessToken || typeof refreshToken !== 'string' || !refreshToken) {
      throw new TypeError('The saved session has no tokens; sign in again.');
    }
    if (!Number.isFinite(expiresAt)) throw new TypeError('The saved session has no valid expiry time; sign in again.');
    // Without issuedAt the lifetime is unknown; what is left of it is a safe underestimate.
    const issuedAt =
      tokens.issuedAt !== undefined && Number.isFinite(tokens.issuedAt) && tokens.issuedAt <= expiresAt
        ? tokens.issuedAt
        : Math.min(expiresAt, (opts.now ?? Date.now)());
    return new GatewaySession(base, { accessToken, refreshToken, expiresAt, issuedAt }, opts.user, opts);
  }

  /** The current tokens (a copy), for persisting. */
  get tokens(): SessionTokens {
    return { ...this.#tokens };
  }

  /** Who is signed in; undefined for a resumed session until its first refresh (unless given to resume()). */
  get user(): SessionUser | undefined {
    return this.#user;
  }

  /** Whether the session has ended (logout or a refused refresh); getToken() then throws SessionExpiredError. */
  get ended(): boolean {
    return this.#ended !== undefined;
  }

  /**
   * A valid access token. When the current one expires within its refresh margin (see
   * refreshMarginMs) it is refreshed first; concurrent callers share that one refresh. If the
   * refresh fails for a reason other than the session ending while the current token is still
   * valid, the current token is returned (the next call tries again).
   * Throws SessionExpiredError, GatewayUnreachableError or GatewayResponseError.
   */
  async getToken(): Promise<string> {
    this.#throwIfEnded();
    const current = this.#tokens;
    if (!needsRefresh(current, this.#now())) return current.accessToken;
    try {
      await this.#refresh();
    } catch (e) {
      if (!(e instanceof SessionExpiredError) && !this.#ended && this.#now() < current.expiresAt) {
        this.#log(`Refreshing the access token ahead of expiry failed; using the current one. ${describeError(e)}`);
        return this.#tokens.accessToken;
      }
      throw e;
    }
    return this.#tokens.accessToken;
  }

  /**
   * After a request with `staleToken` was answered 401: a token to retry with. Refreshes unless the
   * session already holds a different token than `staleToken` (another caller refreshed it);
   * concurrent calls share one refresh. Retry the request once; a second 401 is not a token problem.
   * Throws SessionExpiredError, GatewayUnreachableError or GatewayResponseError.
   */
  async refreshAfterUnauthorized(staleToken: string): Promise<string> {
    this.#throwIfEnded();
    if (staleToken !== this.#tokens.accessToken) return this.getToken();
    await this.#refresh();
    return this.#tokens.accessToken;
  }

  /**
   * Called after every rotation with the new tokens (persist the refresh token: the previous one is
   * now spent) and the user as the gateway now sees them. Returns the unsubscribe function.
   */
  onTokens(listener: (tokens: SessionTokens, user: SessionUser) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called once when the session ends (logout, or a refresh the gateway refused): forget the persisted tokens. */
  onEnded(listener: (error: SessionExpiredError) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  /**
   * Ends the session here and, best-effort, on the gateway (POST /v1/auth/logout revokes the whole
   * refresh family). Never throws; resolves true when the gateway confirmed. Access tokens already
   * handed out stay valid at the gateway until they expire.
   */
  async logout(): Promise<boolean> {
    if (!this.#ended) this.#end(new SessionExpiredError('logged_out', 'You signed out. Sign in again to sync.'));
    // A refresh under way would rotate the token; revoke with the newest one (any token of the family would do).
    await this.#refreshing?.catch(() => {});
    try {
      const answer = await request(
        this.#fetch,
        this.serverUrl,
        '/v1/auth/logout',
        { refresh_token: this.#tokens.refreshToken },
        { requestTimeoutMs: this.#timeoutMs },
      );
      if (answer.status === 204 || answer.status === 200) return true;
      this.#log(`The gateway did not confirm the logout (HTTP ${answer.status}).`);
    } catch (e) {
      this.#log(`The gateway could not be told about the logout. ${describeError(e)}`);
    }
    return false;
  }

  #throwIfEnded(): void {
    if (this.#ended) throw this.#ended;
  }

  #refresh(): Promise<void> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<void> {
    const path = '/v1/auth/refresh';
    const sentAt = this.#now();
    const answer = await request(
      this.#fetch,
      this.serverUrl,
      path,
      { refresh_token: this.#tokens.refreshToken },
      { requestTimeoutMs: this.#timeoutMs },
    );
    if (answer.status === 200) {
      const { tokens, user } = parseTokenAnswer(answer, this.serverUrl, path, sentAt);
      this.#tokens = tokens;
      this.#user = user;
      // Logged out while this refresh was under way: keep the newest token for the logout request, but
      // tell no one to persist a session that is over.
      if (this.#ended) return;
      for (const listener of [...this.#listeners]) {
        try {
          listener({ ...tokens }, user);
        } catch (e) {
          this.#log(`A token listener failed. ${describeError(e)}`);
        }
      }
      return;
    }
    const error = errorOf(answer);
    if ((answer.status === 401 || answer.status === 403) && error) {
      // 401: the refresh token is unknown, expired, reused or revoked; 403: the account was disabled or
      // lost its last membership (the gateway has revoked the session). Either way, only a new login helps.
      // Without the gateway's error envelope the refusal may come from something in between (a proxy),
      // so it does not end the session.
      const ended = new SessionExpiredError(error.code, error.message || SESSION_ENDED_DEFAULT);
      if (!this.#ended) this.#end(ended);
      throw ended;
    }
    throw unexpectedAnswer(answer, this.serverUrl, path);
  }

  #end(error: SessionExpiredError): void {
    this.#ended = error;
    for (const listener of [...this.#endListeners]) {
      try {
        listener(error);
      } catch (e) {
        this.#log(`A session-end listener failed. ${describeError(e)}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// HTTP

function normaliseServerUrl(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new TypeError(`"${serverUrl}" is not a server address; expected something like https://sync.example.com.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`The server address must start with http:// or https://, got ${url.protocol}//…`);
  }
  if (url.username || url.password) throw new TypeError('The server address must not contain a user name or password.');
  if (url.search || url.hash) throw new TypeError('The server address must not contain a query or fragment.');
  return url.href.replace(/\/+$/, '');
}

/** POSTs `body` as JSON; network failures and timeouts become GatewayUnreachableError. */
async function request(
  fetchFn: typeof fetch,
  base: string,
  path: Endpoint,
  body: unknown,
  opts: { requestTimeoutMs?: number },
): Promise<GatewayAnswer> {
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetchFn(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal,
      redirect: 'manual',
    });
    const text = await res.text();
    const isJson = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(res.headers.get('content-type') ?? '');
    let json: unknown;
    if (isJson && text) {
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, json, isJson };
  } catch (e) {
    if (signal.aborted) {
      throw new GatewayUnreachableError(
        `The server at ${base} did not answer within ${Math.round(timeoutMs / 1000)} s. Check the network connection; Fieldline keeps working offline and tries again later.`,
        undefined,
        { cause: e },
      );
    }
    throw new GatewayUnreachableError(
      `Cannot reach the server at ${base} (${networkReason(e)}). Check the network connection and the server address; Fieldline keeps working offline and tries again later.`,
      undefined,
      { cause: e },
    );
  }
}

/** Validates a login/refresh answer; a malformed one is a GatewayResponseError naming only the fields (never values: they hold tokens). */
function parseTokenAnswer(
  answer: GatewayAnswer,
  base: string,
  path: Endpoint,
  sentAt: number,
): { tokens: SessionTokens; user: SessionUser } {
  const parsed = tokenResponseSchema.safeParse(answer.json);
  if (!parsed.success) {
    const fields = answer.isJson
      ? [...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.') || 'body'))].slice(0, 8).join(', ')
      : 'not JSON';
    throw new GatewayResponseError(
      `The server at ${base} answered ${path} with something that is not a Fieldline gateway's sign-in answer (${fields}). Check the server address; a proxy or captive portal may be in the way.`,
      answer.status,
    );
  }
  const d = parsed.data;
  return {
    tokens: {
      accessToken: d.access_token,
      refreshToken: d.refresh_token,
      // From when the request left: the gateway's clock started the lifetime no earlier than that.
      expiresAt: sentAt + d.expires_in * 1000,
      issuedAt: sentAt,
    },
    user: {
      id: d.user.id,
      email: d.user.email,
      displayName: d.user.display_name,
      memberships: d.memberships.map((m) => ({
        organizationId: m.organization_id,
        organizationName: m.organization_name,
        role: m.role,
      })),
    },
  };
}

/** The gateway's `{error: {code, message}}`, when the answer is one (message trimmed to a sane length). */
function errorOf(answer: GatewayAnswer): { code: string; message: string } | undefined {
  const parsed = errorResponseSchema.safeParse(answer.json);
  if (!parsed.success) return undefined;
  const { code, message } = parsed.data.error;
  return { code: code.slice(0, 100), message: message.slice(0, MAX_SERVER_MESSAGE) };
}

/** Everything a login or refresh did not expect: transient failures are GatewayUnreachableError, the rest GatewayResponseError. */
function unexpectedAnswer(answer: GatewayAnswer, base: string, path: Endpoint): GatewaySessionError {
  const { status } = answer;
  const error = errorOf(answer);
  if (status >= 500 || status === 408 || status === 429) {
    return new GatewayUnreachableError(
      `The server at ${base} is not available right now (HTTP ${status}). Fieldline keeps working offline and tries again later.`,
      status,
    );
  }
  if (status >= 300 && status < 400) {
    const location = answer.headers.get('location');
    return new GatewayResponseError(
      `The server at ${base} redirects ${path} (HTTP ${status}${location ? ` to ${location.slice(0, 200)}` : ''}). Use the address the gateway itself is served at.`,
      status,
    );
  }
  if (status === 404 || status === 405 || !error) {
    return new GatewayResponseError(
      `The server at ${base} does not look like a Fieldline gateway (HTTP ${status} for ${path}). Check the server address.`,
      status,
      error?.code,
    );
  }
  return new GatewayResponseError(
    `The server at ${base} refused ${path} (HTTP ${status}, ${error.code}): ${error.message}`,
    status,
    error.code,
  );
}

function retryAfterSeconds(headers: Headers): number {
  const value = Number(headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : 60;
}

/** A short reason for a failed fetch: undici hides the system error (ECONNREFUSED, ENOTFOUND …) in `cause`. */
function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return e instanceof Error ? e.message : String(e);
}

const describeError = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
