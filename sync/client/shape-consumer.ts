/**
 * The shape consumer: keeps a replica file in step with the server, one shape stream per synced
 * table (table-sync.ts). Guarantees: each table's rows and resume point change together in one
 * transaction per up-to-date batch; `changed` fires after each such commit that touched rows;
 * `status` fires only when a table's status actually changes.
 */
import { EventEmitter } from 'node:events';
import type { TableDef } from '../../shared/schema/table.js';
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import type { Replica } from './replica/open-replica.js';
import type { TableSyncStatus } from './sync-status.js';
import { TableSync, type RetryTimings, type TokenProvider, type UnauthorizedHandler } from './table-sync.js';

export type ReplicaChanged = { tables: string[] };

export type ShapeConsumerEvents = {
  changed: [ReplicaChanged];
  status: [TableSyncStatus];
};

export type ShapeConsumerOptions = {
  db: Replica;
  /** The gateway's base URL; shapes are read from `${serverUrl}/v1/shape`. */
  serverUrl: string;
  getToken: TokenProvider;
  /** Refreshes the token after a 401 (see table-sync.ts); without it a 401 is retried with backoff. */
  onUnauthorized?: UnauthorizedHandler;
  /** Defaults to every synced table. */
  tables?: readonly TableDef[];
  /** Transport override (instrumentation, tests). */
  fetchClient?: typeof fetch;
  /** Backoff for network errors and refusals; defaults to the client's (1 s, ×2, at most 32 s). */
  retry?: RetryTimings;
  now?: () => Date;
  /** Changes held in memory before an atomic batch is parked on disk (default PARK_THRESHOLD). */
  parkThreshold?: number;
};

export class ShapeConsumer extends EventEmitter<ShapeConsumerEvents> {
  readonly #tables: TableSync[];
  #started = false;

  constructor(opts: ShapeConsumerOptions) {
    super();
    const base = opts.serverUrl.replace(/\/+$/, '');
    this.#tables = (opts.tables ?? SYNCED_TABLES).map(
      (table) =>
        new TableSync({
          db: opts.db,
          table,
          serverUrl: base,
          getToken: opts.getToken,
          onUnauthorized: opts.onUnauthorized,
          parkThreshold: opts.parkThreshold,
          fetchClient: opts.fetchClient,
          retry: opts.retry,
          now: opts.now,
          onStatus: (s) => this.emit('status', s),
          onCommitted: (name) => this.emit('changed', { tables: [name] }),
        }),
    );
  }

  start(): this {
    if (!this.#started) {
      this.#started = true;
      for (const t of this.#tables) t.start();
    }
    return this;
  }

  /** Stops every stream. Uncommitted messages are dropped; the stored offsets make resuming exact. */
  close(): void {
    for (const t of this.#tables) t.stop();
  }

  status(): TableSyncStatus[] {
    return this.#tables.map((t) => t.status);
  }

  /** True once every table has committed an up-to-date batch in this session and none is failing. */
  isLive(): boolean {
    return this.#tables.every((t) => t.status.phase === 'live');
  }
}
