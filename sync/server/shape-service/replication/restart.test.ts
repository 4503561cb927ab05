/**
 * Acknowledgement and resumption: a new stream on the slot continues right after the last
 * acknowledged transaction: nothing lost, and only unacknowledged transactions delivered again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionHandlerError } from './errors.js';
import { lsnToBigInt } from './lsn.js';
import {
  acknowledgeAndStop,
  createReplicationFixture,
  inTransaction,
  run,
  runStreaming,
  TransactionRecorder,
  type ReplicationFixture,
} from './test-support.js';

let fx: ReplicationFixture;

beforeAll(async () => {
  fx = await createReplicationFixture();
  await fx.sql.query(`
    create table events (id int primary key, label text);
    create table unpublished (id serial primary key, filler text);
  `);
  await fx.manager.addTables([{ schema: 'public', name: 'events' }]);
  expect(await fx.manager.ensureSlot()).toEqual({ created: true });
});

afterAll(async () => {
  await fx?.cleanup();
});

const insertEvent = (id: number) => inTransaction(fx.sql, [`insert into events values (${id}, 'event ${id}')`]);
const eventIds = (recorder: TransactionRecorder) =>
  recorder.transactions.map((tx) => (tx.changes[0]?.kind === 'insert' ? tx.changes[0].newRow.id : '?'));

describe('acknowledge and restart', () => {
  it('resumes after the acknowledged transaction and redelivers exactly the unacknowledged ones', async () => {
    const first = new TransactionRecorder();
    const a = await runStreaming(fx, first.handle);
    for (const id of [1, 2, 3]) await insertEvent(id);
    const [, second] = await first.waitForCount(3);
    a.stream.acknowledge(second!.lsn); // 3 was delivered but is not stored yet
    await a.stream.stop();
    expect(await fx.manager.confirmedFlushLsn()).toBe(second!.lsn + 1n);

    for (const id of [4, 5]) await insertEvent(id);
    const resumed = new TransactionRecorder();
    const b = await runStreaming(fx, resumed.handle);
    await resumed.waitForCount(3);
    expect(eventIds(resumed)).toEqual(['3', '4', '5']);
    expect(resumed.transactions[0]).toEqual(first.transactions[2]);
    await acknowledgeAndStop(b.stream, resumed);
  });

  it('stops on a failing handler without acknowledging, and the next stream gets that transaction again', async () => {
    await insertEvent(10);
    await insertEvent(11);
    let calls = 0;
    const failing = fx.newStream();
    const error = await run(failing, async (tx) => {
      calls++;
      if (tx.changes[0]?.kind === 'insert' && tx.changes[0].newRow.id === '11') throw new Error('disk full');
      failing.acknowledge(tx.lsn);
    });
    expect(error).toBeInstanceOf(TransactionHandlerError);
    expect(error?.message).toContain('disk full');
    expect(calls).toBe(2);

    const retry = new TransactionRecorder();
    const { stream } = await runStreaming(fx, retry.handle);
    await retry.waitForCount(1);
    expect(eventIds(retry)).toEqual(['11']);
    await acknowledgeAndStop(stream, retry);
  });

  it('moves the slot past WAL of unpublished tables once everything delivered is acknowledged, losing nothing', async () => {
    const recorder = new TransactionRecorder();
    const { stream } = await runStreaming(fx, recorder.handle, { statusIntervalMs: 100 });
    await insertEvent(20);
    const [tx] = await recorder.waitForCount(1);
    stream.acknowledge(tx!.lsn);
    await fx.sql.query(`insert into unpublished (filler) select repeat('x', 100) from generate_series(1, 200)`);
    const { rows } = await fx.sql.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
    // The insert position may already sit past the next WAL page header (24–40 bytes) that the
    // walsender never reports; allow for that header and nothing more.
    const unrelatedWalEnd = lsnToBigInt(rows[0]!.lsn) - 64n;
    await expect
      .poll(() => fx.manager.confirmedFlushLsn(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(unrelatedWalEnd);
    await stream.stop();

    await insertEvent(21);
    const next = new TransactionRecorder();
    const again = await runStreaming(fx, next.handle);
    await next.waitForCount(1);
    expect(eventIds(next)).toEqual(['21']);
    await acknowledgeAndStop(again.stream, next);
  });
});
