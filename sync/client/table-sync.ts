/**
 * One synced table: one official ShapeStream through the gateway, resumed from sync_shapes.
 * Messages are buffered until `up-to-date` and then committed together with the stream's offset
 * and handle in one transaction (replica/apply-batch.ts). On `must-refetch` the buffer is dropped
 * and the table is emptied only in the transaction that commits the refetched data, so readers keep
 * the old rows until the new ones are there. See sync-status.ts for the phases.
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
  type Row,
} from '@electric-sql/client';
import type { TableDef } from '../../shared/schema/table.js';
import { observedFetch } from './observed-fetch.js';
import { tableApplier, type AppliedBatch } from './replica/apply-batch.js';
import type { Replica } from './replica/open-replica.js';
import { readShapeState } from './replica/sync-state.js';
import { sameStatus, type SyncIssue, type SyncPhase, type TableSyncStatus } from './sync-status.js';

/** Returns a current access token; refreshing it is the caller's concern. */
export type TokenProvider = () => string | Promise<string>;

export type RetryTimings = Pick<BackoffOptions, 'initialDelay' | 'maxDelay' | 'multiplier'>;

export type TableSyncOptions = {
  db: Replica;
  table: TableDef;
  serverUrl: string;
  getToken: TokenProvider;
  fetchClient?: typeof fetch;
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
  #refetch = false;
  #bytes = 0;
  #schema: string | null = null;
  #everUpToDate = false;
  #stopped = false;
  #status: TableSyncStatus;

  constructor(opts: TableSyncOptions) {
    this.#opts = opts;
    this.#applier = tableApplier(opts.db, opts.table);
    const stored = readShapeState(opts.db, opts.table.name);
    this.#status = {
      table: opts.table.name,
      phase: 'initial',
      rows: stored?.rowCount ?? 0,
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
    const resume = stored && stored.offset !== '-1' ? { offset: stored.offset, handle: stored.handle } : {};
    const timings = retry ?? BackoffDefaults;
    this.#stream = new ShapeStream({
      url: `${serverUrl}/v1/shape`,
      params: { table: table.name },
      // A function, so every request (and every retry after a 401) asks for the current token.
      headers: { Authorization: async () => `Bearer ${await getToken()}` },
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
        onBytes: (n) => (this.#bytes += n),
      }),
      backoffOptions: { ...timings, maxRetries: Infinity },
      // Refusals (4xx) land here; keep retrying with the client's backoff instead of stopping.
      onError: (e) => {
        if (this.#stopped) return;
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
      for (const m of messages) {
        if (isChangeMessage(m)) this.#buffer.push(m);
        else if (isControlMessage(m) && m.headers.control === 'must-refetch') {
          this.#buffer = [];
          this.#refetch = true;
          this.#bytes = 0;
        } else if (isControlMessage(m) && m.headers.control === 'up-to-date') this.#commit();
      }
    } catch (e) {
      this.stop();
      this.#setPhase('error', issueOf(new BatchApplyError(this.#opts.table.name, e), 'apply_failed'));
    }
  }

  #commit(): void {
    const stream = this.#stream!;
    const handle = stream.shapeHandle;
    // The client publishes a response's messages before reading the next one, so lastOffset here is
    // the offset just after this up-to-date.
    if (!handle) throw new Error('up-to-date without a shape handle');
    const applied = this.#applier.apply({
      changes: this.#buffer,
      refetch: this.#refetch,
      handle,
      offset: stream.lastOffset,
      schema: this.#schema,
      bytes: this.#bytes,
      upToDateAt: (this.#opts.now?.() ?? new Date()).toISOString(),
    });
    this.#buffer = [];
    this.#refetch = false;
    this.#bytes = 0;
    this.#everUpToDate = true;
    this.#update({
      phase: 'live',
      rows: applied.state.rowCount,
      lastUpToDateAt: applied.state.lastUpToDateAt,
      lastError: null,
    });
    if (applied.touched) this.#opts.onCommitted(this.#opts.table.name, applied);
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
