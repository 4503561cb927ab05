/**
 * Who is signed in, and their workspace. Sign-in is the only request made on this thread; from then
 * on the engine alone holds the session (see workspace.ts) and every token rotation it reports is
 * saved. The profile and tokens are persisted so the next start opens the cached replica at once,
 * offline if need be.
 *
 *   signed-out ──sign-in (online)──► signed-in ──sign-out──────────────────► signed-out
 *        ▲                              │  └──session refused / expired ───► signed-out (reason)
 *        └────── app start, no tokens ──┘      app start with tokens: signed-in, no network needed
 *
 * Every transition runs under one lock, so a sign-out never races a sign-in.
 */
import path from 'node:path';
import { ApiError } from '../../shared/api/result.js';
import type { SessionState } from '../../shared/api/views.js';
import { GatewaySession } from '../../sync/client/auth/gateway-session.js';
import type { TokenStore } from './host-options.js';
import type { ProfileStore } from './profile-store.js';
import { decodeStoredTokens, encodeStoredTokens } from './stored-tokens.js';
import type { Issue } from './sync-overview.js';
import { Workspace, type Me, type ResumableTokens } from './workspace.js';

export type SignedIn = Extract<SessionState, { status: 'signed-in' }>;

/** Engine failures that end the session: only a new sign-in helps. */
const SESSION_ENDING = new Set(['session_expired', 'invalid_credentials', 'account_refused', 'start_failed']);

/** How long a sign-out waits for the server to confirm the logout before going on without it. */
const LOGOUT_WAIT_MS = 5_000;

export type SessionManagerOptions = {
  dataDir: string;
  tokenStore: TokenStore;
  profile: ProfileStore;
  /** The serverUrl to show on a signed-out form when no session names one. */
  defaultServerUrl: () => string | null;
  onSessionChanged(state: SessionState): void;
  onSynced(tables: string[]): void;
  onActivity(): void;
};

export const replicaFileOf = (dataDir: string, userId: string, organizationId: string): string =>
  path.join(dataDir, 'replicas', `${userId}-${organizationId}.db`);

export class SessionManager {
  readonly #o: SessionManagerOptions;
  #state: SessionState;
  #workspace: Workspace | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #tokenWrites: Promise<void> = Promise.resolve();

  constructor(opts: SessionManagerOptions) {
    this.#o = opts;
    this.#state = this.#signedOut(null, null, null);
  }

  get state(): SessionState {
    return this.#state;
  }

  get workspace(): Workspace | undefined {
    return this.#workspace;
  }

  /** The open workspace, or signed_out. */
  requireWorkspace(): Workspace {
    if (this.#workspace) return this.#workspace;
    throw new ApiError('signed_out', 'Sign in to see and change your work.');
  }

  /** At app start: the stored profile, resumed from the stored tokens without the network. */
  restore(): Promise<SessionState> {
    return this.#exclusive(async () => {
      const saved = this.#o.profile.load();
      if (saved?.status !== 'signed-in') {
        this.#state = saved ?? this.#state;
        return this.#state;
      }
      const stored = decodeStoredTokens(await this.#o.tokenStore.load());
      if (!stored || stored.userId !== saved.user.id || stored.organizationId !== saved.organization.id) {
        return this.#setSignedOut(saved, {
          code: 'session_missing',
          message: 'The saved sign-in is gone from this computer. Sign in again.',
        });
      }
      try {
        this.#open(saved, stored.tokens);
      } catch (e) {
        return this.#setSignedOut(saved, { code: 'replica_open_failed', message: (e as Error).message });
      }
      this.#state = saved;
      return saved;
    });
  }

  signIn(serverUrl: string, email: string, password: string): Promise<SessionState> {
    return this.#exclusive(async () => {
      if (this.#state.status === 'signed-in')
        throw new ApiError('conflict', `Already signed in as ${this.#state.user.email}. Sign out first.`);
      const session = await GatewaySession.login(serverUrl, email, password);
      const user = session.user!;
      const membership = user.memberships[0];
      if (!membership) {
        await session.logout();
        throw new ApiError('account_refused', 'This account belongs to no organization yet. Ask an administrator.');
      }
      const state: SignedIn = {
        status: 'signed-in',
        serverUrl: session.serverUrl,
        user: { id: user.id, email: user.email, displayName: user.displayName },
        organization: { id: membership.organizationId, name: membership.organizationName },
        role: membership.role,
        memberships: user.memberships,
      };
      // From here on only the engine may refresh: this thread's session is dropped unused.
      const tokens = session.tokens;
      try {
        await this.#saveTokens(state, tokens);
        this.#open(state, tokens);
      } catch (e) {
        await session.logout();
        await this.#o.tokenStore.clear();
        throw e;
      }
      this.#state = state;
      this.#o.profile.save(state);
      this.#o.onSessionChanged(state);
      return state;
    });
  }

  /** Ends the session here and (best-effort) on the server; the replica and its unsynced edits stay. */
  signOut(): Promise<SessionState> {
    return this.#exclusive(async () => {
      const current = this.#state;
      if (current.status !== 'signed-in') return current;
      const tokens = await this.#closeWorkspace();
      await this.#o.tokenStore.clear();
      if (tokens) await logoutOnServer(current.serverUrl, tokens);
      return this.#setSignedOut(current, null);
    });
  }

  /** Stops sync and closes the replica, keeping the session for the next start. */
  close(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#closeWorkspace();
    });
  }

  #open(state: SignedIn, tokens: ResumableTokens): void {
    const me: Me = {
      userId: state.user.id,
      email: state.user.email,
      organizationId: state.organization.id,
      role: state.role,
    };
    this.#workspace = Workspace.open({
      dbFile: replicaFileOf(this.#o.dataDir, me.userId, me.organizationId),
      serverUrl: state.serverUrl,
      me,
      tokens,
      onSynced: (tables) => this.#o.onSynced(tables),
      onActivity: () => this.#o.onActivity(),
      onTokens: (t) => void this.#saveTokens(state, t).catch(() => {}),
      onFatal: (issue) => this.#onFatal(issue),
    });
    this.#o.onActivity();
  }

  #onFatal(issue: Issue): void {
    if (!SESSION_ENDING.has(issue.code)) return; // shown as a sync error; sync:retry starts again
    void this.#exclusive(async () => {
      const current = this.#state;
      if (current.status !== 'signed-in') return;
      // Say so first: screens stop offering work at once, while the engine and the file close.
      this.#setSignedOut(current, issue);
      await this.#closeWorkspace();
      await this.#o.tokenStore.clear();
    });
  }

  /** Closes the workspace; resolves with the newest tokens it had (for a server-side logout). */
  async #closeWorkspace(): Promise<ResumableTokens | undefined> {
    const ws = this.#workspace;
    if (!ws) return undefined;
    this.#workspace = undefined;
    await ws.close();
    await this.#tokenWrites;
    this.#o.onActivity();
    return ws.tokens;
  }

  /** Token saves run one after another, in the order the engine reported them. */
  #saveTokens(state: SignedIn, tokens: ResumableTokens): Promise<void> {
    const secret = encodeStoredTokens({
      serverUrl: state.serverUrl,
      userId: state.user.id,
      organizationId: state.organization.id,
      tokens,
    });
    const write = this.#tokenWrites.then(() => this.#o.tokenStore.save(secret));
    this.#tokenWrites = write.catch((e: unknown) => {
      console.error('fieldline: could not save the session tokens:', e);
    });
    return write;
  }

  #signedOut(serverUrl: string | null, lastEmail: string | null, reason: Issue | null): SessionState {
    return { status: 'signed-out', serverUrl: serverUrl ?? this.#o.defaultServerUrl(), lastEmail, reason };
  }

  #setSignedOut(previous: SessionState, reason: Issue | null): SessionState {
    const state =
      previous.status === 'signed-in'
        ? this.#signedOut(previous.serverUrl, previous.user.email, reason)
        : this.#signedOut(previous.serverUrl, previous.lastEmail, reason);
    this.#state = state;
    this.#o.profile.save(state);
    this.#o.onSessionChanged(state);
    return state;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }
}

async function logoutOnServer(serverUrl: string, tokens: ResumableTokens): Promise<void> {
  try {
    const session = GatewaySession.resume(serverUrl, tokens, { requestTimeoutMs: LOGOUT_WAIT_MS });
    await session.logout(); // never throws; offline it just cannot tell the server
  } catch {
    // Tokens that cannot make a session: nothing to revoke.
  }
}
