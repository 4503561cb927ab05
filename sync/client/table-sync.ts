/**
 * One synced table: one official ShapeStream through the gateway, resumed from sync_shapes.
 *
 * How responses reach the replica (replica/apply-batch.ts does the writing):
 * - Initial sync (the table was never up to date in this file): every response is applied at once,
 *   with the stream position after it, so memory stays flat, progress is visible and a crash
 *   resumes mid-snapshot. Readers see a growing table while the phase is `initial`.
 * - Afterwards, each batch up to an `up-to-date` is applied in one transaction: readers never see
 *   half of it. Small batches wait in memory; a large one (a refetch of a big table, a long
 *   catch-up) is parked in sync_pending response by response and replayed at the up-to-date.
 * - `must-refetch` forgets the dead shape's unapplied changes; the table is emptied only in the
 *   transaction that brings the new rows, so screens keep the old rows meanwhile.
 * - `snapshot-end` (the Postgres snapshot the shape's rows were read in) goes with the next batch
 *   applied or parked: local edits it already contains are confirmed by it (outbox.ts).
 * - 401: the token is refreshed (onUnauthorized) and the request retried from the same position.
 * See sync-status.ts for the phases.
 */
import {
  BackoffDefaults,
  FetchError,
  ShapeStream,
  isChangeMessage,
  isControlMessage,
  type BackoffOptions,
  type ChangeMessage,
  type Message,
  type PostgresSnapshot,
  type Row,
} from '@electric-sql/client';
import type { TableDef } from '../../shared/schema/table.js';
import { observedFetch } from './observed-fetch.js';
import { tableApplier, type AppliedBatch } from './replica/apply-batch.js';
import type { Replica } from './replica/open-replica.js';
import { readShapeState } from './replica/sync-state.js';
import { sameStatus, type SyncIssue, type SyncPhase, type TableSyncStatus } from './sync-status.js';

/** Returns a current access token. */
export type TokenProvider = () => string | Promise<string>;
/**
 * Called when the server refused `staleToken` with 401; resolves once a fresh token is available
 * from the TokenProvider. Throwing an error with code `session_expired` stops the stream.
 */
export type UnauthorizedHandler = (staleToken: string) => Promise<unknown>;

/** Changes held in memory before a batch that must stay atomic is parked on disk. */
export const PARK_THRESHOLD = 2_000;

export type RetryTimings = Pick<BackoffOptions, 'initialDelay' | 'maxDelay' | 'multiplier'>;

export type TableSyncOptions = {
  db: Replica;
  table: TableDef;
  serverUrl: string;
  getToken: TokenProvider;
  onUnauthorized?: UnauthorizedHandler;
  fetchClient?: typeof fetch;
  parkThreshold?: number;
  retry?: RetryTimings;
  now?: () => Date;
  onStatus(status: TableSyncStatus): void;
  onCommitted(table: string, batch: AppliedBatch): void;
};

export class BatchApplyError extends Error {
  readonly code = 'apply_failed';
  constructor(
    readonly table: string,
    cause: unknown,
  ) {
    super(
      `${table}: a synced batch could not be written to the replica (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Sync of this table stopped at its last good offset; restart sync after fixing the cause.',
      { cause },
    );
    this.name = 'BatchApplyError';
  }
}

const issueOf = (e: unknown, fallbackCode: string): SyncIssue => {
  if (e instanceof FetchError) return { code: `http_${e.status}`, message: e.message };
  const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : fallbackCode;
  return { code, message: e instanceof Error ? e.message : String(e) };
};

export class TableSync {
  readonly #opts: TableSyncOptions;
  readonly #abort = new AbortController();
  readonly #applier: ReturnType<typeof tableApplier>;
  #stream: ShapeStream | undefined;
  #buffer: ChangeMessage<Row>[] = [];
  #snapshot: PostgresSnapshot | null = null;
  #refetch = false;
  #bytes = 0;
  #schema: string | null = null;
  #stopped = false;
  /** Every response goes straight in: the table has never been up to date in this file. */
  #direct: boolean;
  #lastToken = '';
  /** An up-to-date was applied in this session (the phase to return to after an outage). */
  #everUpToDate = false;
  #status: TableSyncStatus;

  constructor(opts: TableSyncOptions) {
    this.#opts = opts;
    this.#applier = tableApplier(opts.db, opts.table);
    const stored = readShapeState(opts.db, opts.table.name);
    this.#direct = !stored?.lastUpToDateAt && !stored?.pending;
    this.#status = {
      table: opts.table.name,
      phase: 'initial',
      rows: stored?.rowCount ?? 0,
      bytes: stored?.bytes ?? 0,
      total: null,
      lastUpToDateAt: stored?.lastUpToDateAt ?? null,
      lastError: null,
    };
  }

  get status(): TableSyncStatus {
    return this.#status;
  }

  start(): void {
    if (this.#stream) return;
    const { db, table, serverUrl, getToken, retry } = this.#opts;
    const stored = readShapeState(db, table.name);
    // A parked batch is further along than the last applied one (and may belong to a refetch).
    const at = stored?.pending ?? stored;
    const resume = at && at.offset !== '-1' ? { offset: at.offset, handle: at.handle } : {};
    const timings = retry ?? BackoffDefaults;
    this.#stream = new ShapeStream({
      url: `${serverUrl}/v1/shape`,
      params: { table: table.name },
      // A function, so every request (and every retry after a 401) asks for the current token.
      headers: {
        Authorization: async () => {
          this.#lastToken = await getToken();
          return `Bearer ${this.#lastToken}`;
        },
      },
      signal: this.#abort.signal,
      fetchClient: observedFetch(this.#opts.fetchClient ?? fetch, this.#abort.signal, {
        onUnreachable: (e) => this.#setPhase('offline', issueOf(e, 'offline')),
        onAnswered: () => {
          const { phase } = this.#status;
          // Back from the network outage, or a refusal that a retry got past (e.g. a refreshed token).
          if (!this.#stopped && (phase === 'offline' || phase === 'error'))
            this.#setPhase(this.#everUpToDate ? 'live' : 'initial', null);
        },
        onSchema: (json) => (this.#schema = json),
        onTotal: (total) => this.#update({ total }),
        onBytes: (n) => (this.#bytes += n),
      }),
      backoffOptions: { ...timings, maxRetries: Infinity },
      // Refusals (4xx) land here; keep retrying with the client's backoff instead of stopping.
      // Returning {} retries from the stream's current position.
      onError: async (e) => {
        if (this.#stopped) return;
        if (e instanceof FetchError && e.status === 401 && this.#opts.onUnauthorized) {
          try {
            await this.#opts.onUnauthorized(this.#lastToken);
            return {};
          } catch (refreshError) {
            this.#setPhase('error', issueOf(refreshError, 'unauthorized'));
            if ((refreshError as { code?: unknown }).code === 'session_expired') return;
            return {};
          }
        }
        this.#setPhase('error', issueOf(e, 'sync_failed'));
        return {};
      },
      ...resume,
    });
    this.#stream.subscribe(
      (messages) => this.#onMessages(messages),
      (e) => this.#setPhase('error', issueOf(e, 'sync_failed')),
    );
  }

  /** Stops the stream; anything not yet committed is re-read from the stored offset next time. */
  stop(): void {
    this.#stopped = true;
    this.#stream?.unsubscribeAll();
    this.#abort.abort();
  }

  #onMessages(messages: Message<Row>[]): void {
    // Never throw into the client: it would surface as an uncaught exception.
    if (this.#stopped) return;
    try {
      let upToDate = false;
      for (const m of messages) {
        if (isChangeMessage(m)) this.#buffer.push(m);
        else if (isControlMessage(m) && m.headers.control === 'must-refetch') this.#startRefetch();
        else if (isControlMessage(m) && m.headers.control === 'up-to-date') upToDate = true;
        else if (isControlMessage(m) && m.headers.control === 'snapshot-end') {
          const { xmin, xmax, xip_list } = m.headers;
          this.#snapshot = { xmin, xmax, xip_list };
        }
      }
      // The client publishes a response's messages before reading the next response, so the
      // stream's offset now is the position right after this batch: a valid resume point.
      if (upToDate) this.#apply((this.#opts.now?.() ?? new Date()).toISOString());
      else if (this.#direct && (this.#buffer.length > 0 || this.#refetch || this.#snapshot)) this.#apply(null);
      else if (this.#buffer.length >= (this.#opts.parkThreshold ?? PARK_THRESHOLD)) this.#park();
    } catch (e) {
      this.stop();
      this.#setPhase('error', issueOf(new BatchApplyError(this.#opts.table.name, e), 'apply_failed'));
    }
  }

  #startRefetch(): void {
    this.#buffer = [];
    this.#snapshot = null;
    this.#refetch = true;
    this.#bytes = 0;
    if (!this.#direct) this.#applier.unpark();
  }

  #position() {
    const stream = this.#stream!;
    const handle = stream.shapeHandle;
    if (!handle) throw new Error('a response without a shape handle');
    return { handle, offset: stream.lastOffset };
  }

  #apply(upToDateAt: string | null): void {
    const applied = this.#applier.apply({
      changes: this.#buffer,
      refetch: this.#refetch,
      ...this.#position(),
      schema: this.#schema,
      bytes: this.#bytes,
      upToDateAt,
      snapshot: this.#snapshot,
    });
    this.#buffer = [];
    this.#snapshot = null;
    this.#refetch = false;
    this.#bytes = 0;
    if (upToDateAt) this.#direct = false;
    if (upToDateAt) this.#everUpToDate = true;
    this.#update({
      phase: upToDateAt ? 'live' : this.#status.phase,
      rows: applied.state.rowCount,
      bytes: applied.state.bytes,
      lastUpToDateAt: applied.state.lastUpToDateAt,
      lastError: null,
    });
    if (applied.touched) this.#opts.onCommitted(this.#opts.table.name, applied);
  }

  #park(): void {
    this.#applier.park({
      changes: this.#buffer,
      refetch: this.#refetch,
      snapshot: this.#snapshot,
      ...this.#position(),
    });
    this.#buffer = [];
    this.#snapshot = null;
    this.#refetch = false;
  }

  #setPhase(phase: SyncPhase, lastError: SyncIssue | null): void {
    this.#update({ phase, lastError });
  }

  /** Reports only real changes, so a retry loop never floods listeners. */
  #update(patch: Partial<TableSyncStatus>): void {
    const next = { ...this.#status, ...patch };
    if (sameStatus(next, this.#status)) return;
    this.#status = next;
    this.#opts.onStatus(next);
  }
}
