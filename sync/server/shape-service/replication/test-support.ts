/**
 * Test fixtures for the replication layer: a fresh database with its own publication and slot
 * (slot names are cluster-wide, so each fixture derives its stream id from its database name),
 * and a recorder that collects delivered transactions.
 */
import type pg from 'pg';
import { connect, createTestDatabase, type TestDatabase } from '../../testing/pg.js';
import type { ReplicatedTransaction } from '../types.js';
import type { ReplicationError } from './errors.js';
import { PublicationManager } from './publication.js';
import { ReplicationStream, type ReplicationStreamOptions, type TransactionHandler } from './stream.js';

export type ReplicationFixture = {
  readonly db: TestDatabase;
  /** A superuser connection for writing test data. */
  readonly sql: pg.Client;
  readonly manager: PublicationManager;
  /** A stream on the fixture's slot; stopped by cleanup(). */
  newStream(overrides?: Partial<ReplicationStreamOptions>): ReplicationStream;
  cleanup(): Promise<void>;
};

export async function createReplicationFixture(): Promise<ReplicationFixture> {
  const db = await createTestDatabase('empty');
  const sql = await connect(db.url);
  const manager = new PublicationManager(sql, { streamId: db.name });
  const streams: ReplicationStream[] = [];
  return {
    db,
    sql,
    manager,
    newStream(overrides = {}) {
      const stream = new ReplicationStream({
        connection: db.url,
        publication: manager.publication,
        slot: manager.slot,
        ...overrides,
      });
      streams.push(stream);
      return stream;
    },
    async cleanup() {
      await Promise.all(streams.map((s) => s.stop()));
      // An active slot would keep the database from being dropped.
      await manager.dropSlot({ terminateActive: true });
      await sql.end();
      await db.drop();
    },
  };
}

/** Collects delivered transactions; optionally slows the handler down to exercise backpressure. */
export class TransactionRecorder {
  readonly transactions: ReplicatedTransaction[] = [];
  /** Highest number of handler calls that were running at the same time. */
  maxConcurrent = 0;
  private running = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly delayMs = 0) {}

  readonly handle: TransactionHandler = async (transaction) => {
    this.running++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.transactions.push(transaction);
    this.running--;
    for (const listener of this.listeners) listener();
  };

  /** Resolves once `count` transactions have arrived. */
  waitForCount(count: number, timeoutMs = 15_000): Promise<ReplicatedTransaction[]> {
    return this.waitUntil(() => this.transactions.length >= count, `${count} transactions`, timeoutMs);
  }

  waitUntil(done: () => boolean, what: string, timeoutMs = 15_000): Promise<ReplicatedTransaction[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve(this.transactions);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out waiting for ${what}; got ${this.transactions.length} transactions.`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }
}

/** Starts the stream; the returned promise settles with the error that ended it (or undefined). */
export function run(stream: ReplicationStream, handler: TransactionHandler): Promise<ReplicationError | undefined> {
  return stream.start(handler).then(
    () => undefined,
    (error: ReplicationError) => error,
  );
}

/** Starts the stream and waits until Postgres streams (so later writes are certainly after it). */
export async function runStreaming(
  fixture: ReplicationFixture,
  handler: TransactionHandler,
  overrides: Partial<ReplicationStreamOptions> = {},
): Promise<{ stream: ReplicationStream; ended: Promise<ReplicationError | undefined> }> {
  let streaming!: () => void;
  const started = new Promise<void>((resolve) => (streaming = resolve));
  const stream = fixture.newStream({ ...overrides, onStreaming: streaming });
  const ended = run(stream, handler);
  const outcome = await Promise.race([started.then(() => undefined), ended]);
  if (outcome) throw outcome;
  return { stream, ended };
}

/** Acknowledges everything recorded (so the next stream on the slot starts after it) and stops. */
export async function acknowledgeAndStop(stream: ReplicationStream, recorder: TransactionRecorder): Promise<void> {
  const last = recorder.transactions.at(-1);
  if (last) stream.acknowledge(last.lsn);
  await stream.stop();
}

/** Runs `statements` in one transaction and returns the 32-bit xid pgoutput will report for it. */
export async function inTransaction(sql: pg.Client, statements: readonly string[]): Promise<number> {
  await sql.query('begin');
  try {
    const { rows } = await sql.query<{ xid: string }>('select pg_current_xact_id()::xid::text as xid');
    for (const statement of statements) await sql.query(statement);
    await sql.query('commit');
    return Number(rows[0]!.xid);
  } catch (error) {
    await sql.query('rollback');
    throw error;
  }
}
