/**
 * Failures surface as typed rejections of start() instead of hanging: missing objects, a slot
 * in use, a killed or frozen walsender, tables without REPLICA IDENTITY FULL, API misuse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PublicationMissingError,
  ReplicaIdentityNotFullError,
  ReplicationConnectionError,
  ReplicationTimeoutError,
  ReplicationUsageError,
  SlotInUseError,
  SlotMissingError,
} from './errors.js';
import {
  acknowledgeAndStop,
  createReplicationFixture,
  run,
  runStreaming,
  TransactionRecorder,
  type ReplicationFixture,
} from './test-support.js';

let fx: ReplicationFixture;

beforeAll(async () => {
  fx = await createReplicationFixture();
  await fx.sql.query('create table items (id int primary key, name text)');
  await fx.manager.addTables([{ schema: 'public', name: 'items' }]);
  await fx.manager.ensureSlot();
});

afterAll(async () => {
  await fx?.cleanup();
});

const ignore = async () => undefined;

async function walsenderPid(): Promise<number> {
  const { rows } = await fx.sql.query<{ pid: number }>(
    'select active_pid as pid from pg_replication_slots where slot_name = $1 and active',
    [fx.manager.slot],
  );
  if (!rows[0]) throw new Error('no walsender holds the slot');
  return rows[0].pid;
}

describe('ReplicationStream failures', () => {
  it('rejects with SlotMissingError when the slot does not exist', async () => {
    const error = await run(fx.newStream({ slot: `${fx.manager.slot}_missing` }), ignore);
    expect(error).toBeInstanceOf(SlotMissingError);
    expect(error?.message).toContain('ensureSlot()');
  });

  it('rejects with PublicationMissingError when the publication does not exist', async () => {
    const error = await run(fx.newStream({ publication: 'no such publication' }), ignore);
    expect(error).toBeInstanceOf(PublicationMissingError);
  });

  it('rejects with ReplicationConnectionError when Postgres cannot be reached', async () => {
    const url = new URL(fx.db.url);
    url.port = '1';
    const error = await run(fx.newStream({ connection: url.toString() }), ignore);
    expect(error).toBeInstanceOf(ReplicationConnectionError);
  });

  it('rejects with SlotInUseError when another stream holds the slot past slotBusyTimeoutMs', async () => {
    const { stream } = await runStreaming(fx, ignore);
    const started = Date.now();
    const error = await run(fx.newStream({ slotBusyTimeoutMs: 300 }), ignore);
    expect(error).toBeInstanceOf(SlotInUseError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await stream.stop();
  });

  it('takes over a slot released by a stopped stream without delay', async () => {
    const { stream } = await runStreaming(fx, ignore);
    await stream.stop();
    const next = await runStreaming(fx, ignore, { slotBusyTimeoutMs: 0 });
    await next.stream.stop();
  });

  it('rejects with ReplicationConnectionError when the walsender is terminated', async () => {
    const { ended } = await runStreaming(fx, ignore);
    await fx.sql.query('select pg_terminate_backend($1)', [await walsenderPid()]);
    expect(await ended).toBeInstanceOf(ReplicationConnectionError);
  });

  it('rejects with ReplicationTimeoutError when the walsender stops answering', async () => {
    const { ended } = await runStreaming(fx, ignore, { statusIntervalMs: 50, serverTimeoutMs: 400 });
    const pid = await walsenderPid();
    process.kill(pid, 'SIGSTOP');
    try {
      expect(await ended).toBeInstanceOf(ReplicationTimeoutError);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('rejects with ReplicaIdentityNotFullError for an update without the old row', async () => {
    await fx.sql.query(`
      create table partial (id int primary key, name text);
      alter publication ${fx.manager.publication} add table partial;
      insert into partial values (1, 'a');
    `);
    const recorder = new TransactionRecorder();
    const { stream, ended } = await runStreaming(fx, recorder.handle);
    await recorder.waitForCount(1);
    await fx.sql.query(`update partial set name = 'b'`);
    const error = await ended;
    expect(error).toBeInstanceOf(ReplicaIdentityNotFullError);
    expect(error?.message).toContain('ALTER TABLE "public"."partial" REPLICA IDENTITY FULL');
    await stream.stop();
    // The broken change stays in the slot; only a new slot gets past it.
    await fx.manager.dropSlot({ terminateActive: true });
    expect(await fx.manager.ensureSlot()).toEqual({ created: true });
  });

  it('refuses a second start() and acknowledging beyond what was delivered', async () => {
    const recorder = new TransactionRecorder();
    const { stream } = await runStreaming(fx, recorder.handle);
    await expect(stream.start(ignore)).rejects.toBeInstanceOf(ReplicationUsageError);
    expect(() => stream.acknowledge(1n)).toThrow(ReplicationUsageError);
    await fx.sql.query(`insert into items values (1, 'one')`);
    const [tx] = await recorder.waitForCount(1);
    expect(() => stream.acknowledge(tx!.lsn + 1n)).toThrow(ReplicationUsageError);
    await acknowledgeAndStop(stream, recorder);
    await stream.stop(); // idempotent
  });
});
