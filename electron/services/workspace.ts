/**
 * One signed-in user's working copy: the replica file of that user and organization opened on this
 * thread (reads through `<table>_view`, writes through LocalWrites), and the sync engine running on
 * the same file in its worker thread. The engine is the only party that refreshes tokens (a
 * replayed refresh token revokes the whole session), so the workspace only hands it the tokens it
 * starts from and passes on every rotation it reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../../shared/schema/roles.js';
import type { SessionTokens } from '../../sync/client/auth/gateway-session.js';
import type { EngineIssue } from '../../sync/client/engine/protocol.js';
import { SyncEngine } from '../../sync/client/engine/sync-engine.js';
import { ConflictInbox } from '../../sync/client/local/conflict-inbox.js';
import { LocalWrites } from '../../sync/client/local/local-writes.js';
import { outboxCounts } from '../../sync/client/local/outbox.js';
import { openReplica, type Replica } from '../../sync/client/replica/open-replica.js';
import type { SyncOverview } from '../../shared/api/views.js';
import { deriveOverview, type Issue } from './sync-overview.js';

export type Me = { userId: string; email: string; organizationId: string; role: Role };

export type ResumableTokens = Omit<SessionTokens, 'issuedAt'> & { issuedAt?: number };

export type WorkspaceOptions = {
  dbFile: string;
  serverUrl: string;
  me: Me;
  tokens: ResumableTokens;
  /** The engine committed synced rows of these tables. */
  onSynced(tables: string[]): void;
  /** Something the sync overview is made of changed. */
  onActivity(): void;
  /** The engine rotated (or confirmed) the tokens: persist them. */
  onTokens(tokens: ResumableTokens): void;
  /** The engine stopped on its own. */
  onFatal(issue: Issue): void;
};

export class Workspace {
  readonly db: Replica;
  readonly me: Me;
  readonly writes: LocalWrites;
  readonly inbox: ConflictInbox;
  readonly #o: WorkspaceOptions;
  readonly #oldestQueued;
  #engine: SyncEngine | undefined;
  #tokens: ResumableTokens;
  #engineRunning = false;
  #engineError: Issue | null = null;
  #lastUploadError: Issue | null = null;
  /** Tables with edits in the outbox, as last seen: the engine's answers may change their rows. */
  #editedTables = new Set<string>();
  #lastCounts = '';
  readonly #outboxTables;
  #closed = false;

  private constructor(opts: WorkspaceOptions, db: Replica) {
    this.#o = opts;
    this.db = db;
    this.me = opts.me;
    this.#tokens = opts.tokens;
    this.writes = new LocalWrites(db);
    this.inbox = new ConflictInbox(db, this.writes);
    this.#oldestQueued = db.prepare(`SELECT min(created_at) FROM sync_outbox WHERE state = 'queued'`).pluck();
    this.#outboxTables = db.prepare(`SELECT DISTINCT table_name FROM sync_outbox`).pluck();
  }

  /**
   * Opens the replica here first (its migrations run once, on this thread, before the engine's
   * connection could race them), then starts the engine. Throws when the file cannot be opened.
   */
  static open(opts: WorkspaceOptions): Workspace {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true, mode: 0o700 });
    const { db } = openReplica(opts.dbFile);
    const ws = new Workspace(opts, db);
    try {
      ws.#startEngine();
    } catch (e) {
      db.close();
      throw e;
    }
    return ws;
  }

  /** The newest tokens the engine reported (for a server-side logout after it stopped). */
  get tokens(): ResumableTokens {
    return { ...this.#tokens };
  }

  /** Local writes to `tables` were committed: upload them now and refresh the overview. */
  afterLocalWrite(tables: readonly string[]): void {
    for (const t of tables) this.#editedTables.add(t);
    this.#engine?.kick();
    this.#o.onActivity();
  }

  /**
   * The engine's uploader answered: a rejected edit rolls its row back, a conflict shows the
   * server's values, without any synced batch to announce it. So when the counts move, the tables
   * that had edits waiting are changed tables too.
   */
  #outboxMoved(counts: object): void {
    const key = JSON.stringify(counts);
    if (key === this.#lastCounts) return;
    this.#lastCounts = key;
    const now = this.#outboxTables.all() as string[];
    const touched = new Set([...this.#editedTables, ...now]);
    this.#editedTables = new Set(now);
    if (touched.size > 0) this.#o.onSynced([...touched]);
  }

  overview(): SyncOverview {
    return deriveOverview({
      statuses: this.#engine?.statuses() ?? [],
      outbox: outboxCounts(this.db),
      oldestQueuedAt: (this.#oldestQueued.get() as string | null) ?? null,
      lastUploadError: this.#lastUploadError,
      engineRunning: this.#engineRunning,
      engineError: this.#engineError,
    });
  }

  /**
   * Try the network now: a stopped engine starts again, one waiting out an outage restarts (its
   * streams would otherwise sit out their backoff), a healthy one uploads at once.
   */
  async retry(): Promise<void> {
    if (this.#closed) return;
    const state = this.overview().state;
    if (this.#engineRunning && state !== 'offline' && state !== 'error') return void this.#engine?.kick();
    await this.#stopEngine();
    if (!this.#closed) this.#startEngine();
  }

  /** Stops the engine and closes the replica; the file and its unsynced edits stay for next time. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#stopEngine();
    this.db.close();
  }

  #startEngine(): void {
    const engine = SyncEngine.start({
      dbFile: this.#o.dbFile,
      serverUrl: this.#o.serverUrl,
      auth: { kind: 'tokens', tokens: this.#tokens },
    });
    this.#engine = engine;
    this.#engineRunning = true;
    this.#engineError = null;
    const mine = () => this.#engine === engine;
    engine.on('session', ({ tokens }) => {
      if (!mine()) return;
      this.#tokens = tokens;
      this.#o.onTokens(tokens);
    });
    engine.on('changed', ({ tables }) => mine() && this.#o.onSynced(tables));
    engine.on('status', () => mine() && this.#o.onActivity());
    engine.on('live', () => mine() && this.#o.onActivity());
    engine.on('outbox', (c) => {
      if (!mine()) return;
      if (c.queued === 0) this.#lastUploadError = null;
      this.#outboxMoved(c);
      this.#o.onActivity();
    });
    engine.on('upload-error', (e: EngineIssue) => {
      if (!mine()) return;
      this.#lastUploadError = { code: e.code, message: e.message };
      this.#o.onActivity();
    });
    engine.on('fatal', (e: EngineIssue) => {
      if (!mine() || this.#closed) return;
      this.#engineRunning = false;
      this.#engineError = { code: e.code, message: e.message };
      this.#o.onActivity();
      this.#o.onFatal(this.#engineError);
    });
    engine.on('stopped', () => {
      if (!mine() || this.#closed) return;
      // Ended without a fatal report (the thread died): say so rather than show a frozen status.
      if (this.#engineRunning) {
        this.#engineRunning = false;
        this.#engineError = { code: 'engine_stopped', message: 'Sync stopped unexpectedly. Retry to start it again.' };
        this.#o.onActivity();
      }
    });
  }

  async #stopEngine(): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    this.#engineRunning = false;
    await engine.stop();
    if (this.#engine === engine) this.#engine = undefined;
  }
}
