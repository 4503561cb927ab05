/**
 * ReplicationStream against the real embedded Postgres: changes of a table with awkward names,
 * whole transactions in order with backpressure, TOAST, truncate, schema changes, xids and LSNs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicatedChange } from '../types.js';
import { bigIntToLsn, lsnToBigInt } from './lsn.js';
import {
  acknowledgeAndStop,
  createReplicationFixture,
  inTransaction,
  runStreaming,
  TransactionRecorder,
  type ReplicationFixture,
} from './test-support.js';

const ISSUES = { schema: 'My Schema', name: 'issues for, you' };
const ISSUES_SQL = '"My Schema"."issues for, you"';
const NOTES_SQL = 'public.notes';

let fx: ReplicationFixture;
let issuesOid: number;
let notesOid: number;

beforeAll(async () => {
  fx = await createReplicationFixture();
  await fx.sql.query(`
    create schema "My Schema";
    create table ${ISSUES_SQL} (id int primary key, "Title" text not null, "a ""quoted"" col" text);
    create table ${NOTES_SQL} (id int primary key, body text, n int);
    alter table ${NOTES_SQL} alter column body set storage external;
  `);
  await fx.manager.addTables([ISSUES, { schema: 'public', name: 'notes' }]);
  await fx.manager.ensureSlot();
  const { rows } = await fx.sql.query<{ issues: number; notes: number }>(
    `select '${ISSUES_SQL}'::regclass::oid::int as issues, '${NOTES_SQL}'::regclass::oid::int as notes`,
  );
  issuesOid = rows[0]!.issues;
  notesOid = rows[0]!.notes;
});

afterAll(async () => {
  await fx?.cleanup();
});

const issuesRef = () => ({ oid: issuesOid, schema: 'My Schema', table: 'issues for, you' });
const notesRef = () => ({ oid: notesOid, schema: 'public', table: 'notes' });

/** Row objects have a null prototype; compare them as plain objects. */
const plain = (change: ReplicatedChange) => JSON.parse(JSON.stringify(change)) as unknown;

describe('ReplicationStream', () => {
  it('delivers inserts, updates and deletes of a table with awkward names, keyed by column name', async () => {
    const recorder = new TransactionRecorder();
    const { stream } = await runStreaming(fx, recorder.handle);
    await fx.sql.query(`insert into ${ISSUES_SQL} values (1, 'First', 'say "hi"')`);
    await fx.sql.query(`update ${ISSUES_SQL} set "Title" = 'Renamed' where id = 1`);
    await fx.sql.query(`delete from ${ISSUES_SQL} where id = 1`);
    const [insert, update, remove] = await recorder.waitForCount(3);
    await acknowledgeAndStop(stream, recorder);

    const oldRow = { id: '1', Title: 'First', 'a "quoted" col': 'say "hi"' };
    const newRow = { id: '1', Title: 'Renamed', 'a "quoted" col': 'say "hi"' };
    expect(insert!.changes.map(plain)).toEqual([{ kind: 'insert', relation: issuesRef(), newRow: oldRow }]);
    expect(update!.changes.map(plain)).toEqual([{ kind: 'update', relation: issuesRef(), oldRow, newRow }]);
    expect(remove!.changes.map(plain)).toEqual([{ kind: 'delete', relation: issuesRef(), oldRow: newRow }]);
    for (const tx of [insert, update, remove]) expect(tx!.changedRelations).toEqual([]);
  });

  it('delivers a multi-statement transaction whole, in order, one handler call at a time', async () => {
    const recorder = new TransactionRecorder(50);
    const { stream } = await runStreaming(fx, recorder.handle);
    await inTransaction(fx.sql, [
      `insert into ${ISSUES_SQL} (id, "Title") select i, 'issue ' || i from generate_series(10, 14) i`,
      `insert into ${NOTES_SQL} (id, n) values (10, 1)`,
      `update ${ISSUES_SQL} set "Title" = 'changed' where id = 12`,
      `delete from ${ISSUES_SQL} where id = 10`,
    ]);
    for (let i = 0; i < 5; i++) await fx.sql.query(`update ${NOTES_SQL} set n = n + 1 where id = 10`);
    const [big, ...small] = await recorder.waitForCount(6);
    await acknowledgeAndStop(stream, recorder);

    expect(big!.changes.map((c) => [c.kind, c.kind === 'truncate' ? '' : c.relation.table, rowId(c)])).toEqual([
      ['insert', 'issues for, you', '10'],
      ['insert', 'issues for, you', '11'],
      ['insert', 'issues for, you', '12'],
      ['insert', 'issues for, you', '13'],
      ['insert', 'issues for, you', '14'],
      ['insert', 'notes', '10'],
      ['update', 'issues for, you', '12'],
      ['delete', 'issues for, you', '10'],
    ]);
    expect(small.map((tx) => tx.changes.length)).toEqual([1, 1, 1, 1, 1]);
    expect(small.map((tx) => (tx.changes[0]!.kind === 'update' ? tx.changes[0]!.newRow.n : ''))).toEqual([
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(recorder.maxConcurrent).toBe(1);
  });

  it('fills a TOASTed column an update left unchanged from the old row', async () => {
    const recorder = new TransactionRecorder();
    const { stream } = await runStreaming(fx, recorder.handle);
    await fx.sql.query(
      `insert into ${NOTES_SQL} (id, body, n) select 20, string_agg(md5(i::text), ''), 1 from generate_series(1, 400) i`,
    );
    const { rows } = await fx.sql.query<{ body: string; toasted: string }>(
      `select body, (select count(*) from pg_toast.${'pg_toast_' + notesOid})::text as toasted from ${NOTES_SQL} where id = 20`,
    );
    const body = rows[0]!.body;
    expect(body.length).toBeGreaterThan(8_000);
    expect(Number(rows[0]!.toasted)).toBeGreaterThan(0); // stored out of line, so unchanged means unsent
    await fx.sql.query(`update ${NOTES_SQL} set n = 2 where id = 20`);
    const [, update] = await recorder.waitForCount(2);
    await acknowledgeAndStop(stream, recorder);

    const change = update!.changes[0]!;
    expect(change.kind).toBe('update');
    if (change.kind !== 'update') return;
    expect(change.newRow).toMatchObject({ id: '20', n: '2', body });
    expect(change.oldRow).toMatchObject({ id: '20', n: '1', body });
  });

  it('delivers truncate of one or several tables', async () => {
    const recorder = new TransactionRecorder();
    const { stream } = await runStreaming(fx, recorder.handle);
    await fx.sql.query(`truncate ${NOTES_SQL}`);
    await fx.sql.query(`truncate ${ISSUES_SQL}, ${NOTES_SQL}`);
    const [one, both] = await recorder.waitForCount(2);
    await acknowledgeAndStop(stream, recorder);

    expect(one!.changes).toEqual([{ kind: 'truncate', relations: [notesRef()] }]);
    expect(both!.changes).toHaveLength(1);
    const truncate = both!.changes[0]!;
    expect(truncate.kind === 'truncate' && [...truncate.relations].sort((a, b) => a.oid - b.oid)).toEqual(
      [issuesRef(), notesRef()].sort((a, b) => a.oid - b.oid),
    );
  });

  it('reports xids equal to pg_current_xact_id()::xid and commit LSNs in increasing order', async () => {
    const recorder = new TransactionRecorder();
    const { stream } = await runStreaming(fx, recorder.handle);
    const xids: number[] = [];
    // The WAL insert position after each commit brackets that commit's LSN.
    const positionsAfter: bigint[] = [];
    for (let i = 0; i < 4; i++) {
      xids.push(await inTransaction(fx.sql, [`insert into ${ISSUES_SQL} (id, "Title") values (${100 + i}, 'x')`]));
      const { rows } = await fx.sql.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
      positionsAfter.push(lsnToBigInt(rows[0]!.lsn));
    }
    const transactions = await recorder.waitForCount(4);
    await acknowledgeAndStop(stream, recorder);

    expect(transactions.map((tx) => tx.xid)).toEqual(xids);
    const lsns = transactions.map((tx) => tx.lsn);
    lsns.forEach((lsn, i) => {
      expect(lsn).toBeLessThan(positionsAfter[i]!);
      if (i > 0) expect(lsn).toBeGreaterThan(positionsAfter[i - 1]!);
    });
    for (const lsn of lsns) expect(lsnToBigInt(bigIntToLsn(lsn))).toBe(lsn);
  });

  it('reports changedRelations when a column is added, also across a reconnect', async () => {
    const recorder = new TransactionRecorder();
    const first = await runStreaming(fx, recorder.handle);
    await fx.sql.query(`insert into ${ISSUES_SQL} (id, "Title") values (200, 'before')`);
    await fx.sql.query(`alter table ${ISSUES_SQL} add column "Due Date" date`);
    await fx.sql.query(`insert into ${ISSUES_SQL} (id, "Title", "Due Date") values (201, 'after', '2024-12-31')`);
    await fx.sql.query(`insert into ${ISSUES_SQL} (id, "Title") values (202, 'again')`);
    const [before, after, again] = await recorder.waitForCount(3);
    await acknowledgeAndStop(first.stream, recorder);

    expect(before!.changedRelations).toEqual([]);
    expect(after!.changedRelations).toEqual([issuesRef()]);
    expect(after!.changes[0]).toMatchObject({ kind: 'insert', newRow: { id: '201', 'Due Date': '2024-12-31' } });
    expect(again!.changedRelations).toEqual([]);

    // Changed while no stream was connected: only a stream seeded with the old relations can tell.
    await fx.sql.query(`alter table ${ISSUES_SQL} alter column "Due Date" type timestamptz`);
    await fx.sql.query(`insert into ${ISSUES_SQL} (id, "Title") values (203, 'reconnected')`);
    const seeded = new TransactionRecorder();
    const second = await runStreaming(fx, seeded.handle, { knownRelations: first.stream.knownRelations() });
    const [reconnected] = await seeded.waitForCount(1);
    await acknowledgeAndStop(second.stream, seeded);

    expect(reconnected!.changes[0]).toMatchObject({ kind: 'insert', newRow: { id: '203' } });
    expect(reconnected!.changedRelations).toEqual([issuesRef()]);
  });
});

function rowId(change: ReplicatedChange): string | null | undefined {
  if (change.kind === 'insert' || change.kind === 'update') return change.newRow.id;
  if (change.kind === 'delete') return change.oldRow.id;
  return undefined;
}
