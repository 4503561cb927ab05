/** PublicationManager against the real embedded Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatabaseConfigError,
  InvalidReplicationNameError,
  SlotConflictError,
  SlotInUseError,
  TableNotFoundError,
} from './errors.js';
import { DEFAULT_STREAM_ID, replicationNames } from './names.js';
import { PublicationManager } from './publication.js';
import {
  acknowledgeAndStop,
  createReplicationFixture,
  runStreaming,
  TransactionRecorder,
  type ReplicationFixture,
} from './test-support.js';

let fx: ReplicationFixture;

const AWKWARD = { schema: 'My Schema', name: 'issues for, you' };
const UPPER = { schema: 'public', name: 'Select "Quoted"' };

beforeAll(async () => {
  fx = await createReplicationFixture();
  await fx.sql.query(`
    create schema "My Schema";
    create table "My Schema"."issues for, you" (id int primary key, "Title" text);
    create table public."Select ""Quoted""" (id int primary key);
    create table public.plain (id int primary key);
  `);
});

afterAll(async () => {
  await fx?.cleanup();
});

async function replicaIdentity(table: { schema: string; name: string }): Promise<string> {
  const { rows } = await fx.sql.query<{ relreplident: string }>(
    `select c.relreplident from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2`,
    [table.schema, table.name],
  );
  return rows[0]!.relreplident;
}

async function publishedTables(): Promise<string[]> {
  const { rows } = await fx.sql.query<{ t: string }>(
    `select schemaname || '.' || tablename as t from pg_publication_tables where pubname = $1 order by 1`,
    [fx.manager.publication],
  );
  return rows.map((r) => r.t);
}

describe('replicationNames', () => {
  it("follows Electric's ELECTRIC_REPLICATION_STREAM_ID naming", () => {
    expect(DEFAULT_STREAM_ID).toBe('default');
    expect(replicationNames()).toEqual({ publication: 'electric_publication_default', slot: 'electric_slot_default' });
    expect(replicationNames('Tenant_7')).toEqual({
      publication: 'electric_publication_tenant_7',
      slot: 'electric_slot_tenant_7',
    });
  });

  it('rejects ids that cannot be part of a slot name', () => {
    for (const id of ['', 'with-dash', 'spa ce', 'x'.repeat(43)]) {
      expect(() => replicationNames(id)).toThrow(InvalidReplicationNameError);
    }
  });
});

describe('PublicationManager', () => {
  it('adds tables with awkward names and makes their replica identity FULL, once', async () => {
    expect(await replicaIdentity(AWKWARD)).toBe('d');
    const first = await fx.manager.addTables([AWKWARD, UPPER, AWKWARD]);
    expect(first.added).toEqual([AWKWARD, UPPER]);
    expect(first.madeReplicaIdentityFull).toEqual([AWKWARD, UPPER]);
    expect(await replicaIdentity(AWKWARD)).toBe('f');
    expect(await replicaIdentity(UPPER)).toBe('f');
    expect(await publishedTables()).toEqual(['My Schema.issues for, you', 'public.Select "Quoted"']);

    expect(await fx.manager.addTables([UPPER, AWKWARD])).toEqual({ added: [], madeReplicaIdentityFull: [] });
  });

  it('sets REPLICA IDENTITY FULL on a table already in the publication', async () => {
    await fx.sql.query(`alter publication ${fx.manager.publication} add table public.plain`);
    const result = await fx.manager.addTables([{ schema: 'public', name: 'plain' }]);
    expect(result).toEqual({ added: [], madeReplicaIdentityFull: [{ schema: 'public', name: 'plain' }] });
  });

  it('changes nothing when one of the tables does not exist', async () => {
    await fx.sql.query('create table public.later (id int primary key)');
    const missing = { schema: 'public', name: 'nope' };
    await expect(fx.manager.addTables([{ schema: 'public', name: 'later' }, missing])).rejects.toBeInstanceOf(
      TableNotFoundError,
    );
    expect(await publishedTables()).not.toContain('public.later');
    expect(await replicaIdentity({ schema: 'public', name: 'later' })).toBe('d');
  });

  it('refuses a publication that does not publish every operation', async () => {
    const manager = new PublicationManager(fx.sql, { streamId: `${fx.db.name}_ops` });
    await fx.sql.query(`create publication ${manager.publication} with (publish = 'insert, update')`);
    await expect(manager.ensurePublication()).rejects.toThrow(DatabaseConfigError);
    await expect(manager.ensurePublication()).rejects.toThrow(/delete, truncate/);
  });

  it('creates the slot once and reports whether it was new', async () => {
    expect(await fx.manager.confirmedFlushLsn()).toBeUndefined();
    expect(await fx.manager.ensureSlot()).toEqual({ created: true });
    expect(await fx.manager.ensureSlot()).toEqual({ created: false });
    expect(await fx.manager.confirmedFlushLsn()).toBeGreaterThan(0n);
  });

  it('advances confirmedFlushLsn to just past an acknowledged commit', async () => {
    const recorder = new TransactionRecorder();
    const { stream } = await runStreaming(fx, recorder.handle);
    await fx.sql.query(`insert into "My Schema"."issues for, you" values (1, 'a')`);
    const [tx] = await recorder.waitForCount(1);
    await acknowledgeAndStop(stream, recorder);
    expect(await fx.manager.confirmedFlushLsn()).toBe(tx!.lsn + 1n);
  });

  it('refuses a slot name taken by another kind of slot (names are cluster-wide)', async () => {
    const manager = new PublicationManager(fx.sql, { streamId: `${fx.db.name}_phys` });
    await fx.sql.query('select pg_create_physical_replication_slot($1)', [manager.slot]);
    try {
      await expect(manager.ensureSlot()).rejects.toBeInstanceOf(SlotConflictError);
    } finally {
      await fx.sql.query('select pg_drop_replication_slot($1)', [manager.slot]);
    }
  });

  it('drops the slot, refusing while a stream uses it unless told to terminate that stream', async () => {
    const { ended } = await runStreaming(fx, async () => undefined);
    await expect(fx.manager.dropSlot()).rejects.toBeInstanceOf(SlotInUseError);
    expect(await fx.manager.dropSlot({ terminateActive: true })).toBe(true);
    expect(await ended).toBeDefined(); // the stream learns its connection was terminated
    expect(await fx.manager.dropSlot()).toBe(false);
    expect(await fx.manager.confirmedFlushLsn()).toBeUndefined();
    expect(await fx.manager.ensureSlot()).toEqual({ created: true });
  });
});
