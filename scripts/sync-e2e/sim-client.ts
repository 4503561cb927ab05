/**
 * One simulated laptop for the multi-client tests: its own session, replica file, shape consumer,
 * uploader, local writes and conflict inbox, all the real parts. "Offline" closes the shape streams
 * and refuses uploads, so edits made meanwhile are based on what this replica last saw; "online"
 * resumes the streams from the stored offsets.
 */
import path from 'node:path';
import type { TableDef } from '../../shared/schema/table.js';
import { mergedViewName, overlayTableName } from '../../shared/schema/sqlite-ddl.js';
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import { GatewaySession } from '../../sync/client/auth/gateway-session.js';
import { ConflictInbox } from '../../sync/client/local/conflict-inbox.js';
import { LocalWrites } from '../../sync/client/local/local-writes.js';
import { outboxCounts } from '../../sync/client/local/outbox.js';
import { Uploader } from '../../sync/client/local/uploader.js';
import { openReplica, type Replica } from '../../sync/client/replica/open-replica.js';
import { ShapeConsumer } from '../../sync/client/shape-consumer.js';
import { waitFor } from '../../sync/server/shape-service/client-test-support.js';
import { replicaChecksum } from './row-checksum.js';
import { DEMO_PASSWORD, FAST_RETRY, type TestStack, type Views } from './test-stack.js';

export type SimClientOptions = {
  stack: TestStack;
  email: string;
  /** The replica file's name in the stack's scratch folder. */
  name: string;
  /** The synced tables (default: all); fewer make a property run cheaper. */
  tables?: readonly TableDef[];
  batchSize?: number;
  /** The gateway to talk to (default: the stack's). */
  serverUrl?: string;
};

export type OutboxEntry = { id: string; table: string; op: string; pk: Record<string, string>; state: string };

export class SimClient {
  readonly email: string;
  readonly file: string;
  readonly replica: Replica;
  readonly writes: LocalWrites;
  readonly inbox: ConflictInbox;
  readonly tables: readonly TableDef[];
  readonly #serverUrl: string;
  readonly #session: GatewaySession;
  readonly #uploader: Uploader;
  #consumer: ShapeConsumer | undefined;

  private constructor(opts: SimClientOptions, session: GatewaySession) {
    this.email = opts.email;
    this.tables = opts.tables ?? SYNCED_TABLES;
    this.file = path.join(opts.stack.dir, `${opts.name}.db`);
    this.#serverUrl = opts.serverUrl ?? opts.stack.gateway.url;
    this.#session = session;
    this.replica = openReplica(this.file).db;
    this.writes = new LocalWrites(this.replica);
    this.inbox = new ConflictInbox(this.replica, this.writes);
    this.#uploader = new Uploader({
      db: this.replica,
      serverUrl: this.#serverUrl,
      getToken: () => session.getToken(),
      onUnauthorized: (stale) => session.refreshAfterUnauthorized(stale),
      batchSize: opts.batchSize,
      retry: FAST_RETRY,
    });
  }

  /** Signs in, opens the replica and syncs it until every table is live. */
  static async open(opts: SimClientOptions): Promise<SimClient> {
    const session = await GatewaySession.login(opts.serverUrl ?? opts.stack.gateway.url, opts.email, DEMO_PASSWORD);
    const client = new SimClient(opts, session);
    client.goOnline();
    await client.untilLive();
    return client;
  }

  get online(): boolean {
    return this.#consumer !== undefined;
  }

  goOnline(): void {
    this.#consumer ??= new ShapeConsumer({
      db: this.replica,
      serverUrl: this.#serverUrl,
      tables: this.tables,
      getToken: () => this.#session.getToken(),
      onUnauthorized: (stale) => this.#session.refreshAfterUnauthorized(stale),
      retry: FAST_RETRY,
    }).start();
  }

  goOffline(): void {
    this.#consumer?.close();
    this.#consumer = undefined;
  }

  untilLive(ms = 30_000): Promise<boolean> {
    return waitFor(
      () => this.#consumer?.isLive() ?? false,
      ms,
      () => `${this.email}: not live`,
    );
  }

  /** Uploads everything queued, one batch after another (online only: offline means no network). */
  async upload(): Promise<void> {
    if (!this.online) throw new Error(`${this.email} is offline; go online before uploading.`);
    await this.#uploader.drain();
  }

  /** Starts the uploader's own loop, retrying with backoff (where the gateway goes away mid-upload). */
  startUploadLoop(): void {
    this.#uploader.start();
  }

  /** Tells the running upload loop that edits were queued. */
  kick(): void {
    this.#uploader.kick();
  }

  counts() {
    return outboxCounts(this.replica);
  }

  /** A row as the app sees it (`<table>_view`: synced row with local edits), or undefined. */
  row(table: string, id: string): Record<string, unknown> | undefined {
    return this.replica.prepare(`select * from "${mergedViewName(table)}" where id = ?`).get(id) as
      Record<string, unknown> | undefined;
  }

  /** Rows in the overlay tables: local edits not yet confirmed by the stream. */
  overlays(): number {
    return this.tables.reduce(
      (n, t) =>
        n +
        (this.replica
          .prepare(`select count(*) from "${overlayTableName(t.name)}"`)
          .pluck()
          .get() as number),
      0,
    );
  }

  outbox(): OutboxEntry[] {
    const rows = this.replica
      .prepare(`select id, table_name as "table", op, pk, state from sync_outbox order by seq`)
      .all() as (Omit<OutboxEntry, 'pk'> & { pk: string })[];
    return rows.map((r) => ({ ...r, pk: JSON.parse(r.pk) as Record<string, string> }));
  }

  /** This replica's synced tables, checksum by checksum (compare with stack.serverView). */
  view(): Views {
    return Object.fromEntries(this.tables.map((t) => [t.name, replicaChecksum(this.replica, t)]));
  }

  async close(): Promise<void> {
    this.goOffline();
    await this.#uploader.stop();
    this.replica.close();
  }
}

/**
 * Brings every client online, uploads until nothing is queued, and waits until each replica holds
 * exactly what its user sees on the server, with every edit confirmed and no overlay left.
 */
export async function syncAll(stack: TestStack, clients: readonly SimClient[], ms = 30_000): Promise<void> {
  for (const c of clients) c.goOnline();
  // keep mine may queue new edits while others upload: loop until a round uploads nothing.
  for (let round = 0; clients.some((c) => c.counts().queued > 0); round++) {
    if (round > 10) throw new Error('the outboxes keep refilling');
    for (const c of clients) await c.upload();
  }
  for (const c of clients) {
    const server = JSON.stringify(await stack.serverView(c.email, c.tables));
    let last = '';
    await waitFor(
      () => {
        const counts = c.counts();
        if (counts.queued + counts.awaitingConfirmation > 0) return false;
        last = JSON.stringify(c.view());
        return last === server && c.overlays() === 0;
      },
      ms,
      () =>
        `${c.email}: outbox ${JSON.stringify(c.counts())}, overlays ${c.overlays()}\n` +
        `replica ${last.slice(0, 1500)}\nserver  ${server.slice(0, 1500)}`,
    );
  }
}
