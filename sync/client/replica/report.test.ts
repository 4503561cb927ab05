import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Offset } from '@electric-sql/client';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SYNCED_TABLES } from '../../../shared/schema/tables.js';
import { loadReplicaMigrations } from './migrations.js';
import { openReplica, type Replica } from './open-replica.js';
import { replicaReport, ReplicaReportError } from './report.js';
import { shapeStateWriter, type ShapeState } from './sync-state.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-report-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tempFile = () => path.join(dir, `r${n++}.db`);
const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

const state = (table: string, extra: Partial<ShapeState> = {}): ShapeState => ({
  table,
  handle: `h-${table}`,
  offset: '10_2' as Offset,
  schema: null,
  lastUpToDateAt: '2026-06-01T00:00:00.000Z',
  rowCount: 0,
  bytes: 100,
  pending: null,
  ...extra,
});

const insertDeviceType = (db: Replica, id: string) =>
  db
    .prepare(
      `insert into device_types (id, organization_id, category, manufacturer, model, name, is_networked,
         default_warranty_months, created_at, updated_at, row_version, deleted_at)
       values (?, 'org', 'camera', 'Axis', 'P3265', 'cam', 1, 24, '2026-06-01T00:00:00.000000Z',
         '2026-06-01T00:00:00.000000Z', 1, null)`,
    )
    .run(id);

function catchReport(file: string): ReplicaReportError {
  try {
    replicaReport(file);
  } catch (e) {
    if (e instanceof ReplicaReportError) return e;
    throw e;
  }
  throw new Error('replicaReport did not throw');
}

describe('replicaReport', () => {
  it('refuses a missing file without creating it', () => {
    const file = tempFile();
    const e = catchReport(file);
    expect(e.code).toBe('no_replica');
    expect(e.message).toBe(`no replica at ${file}; run \`fieldline sync\` first`);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses files that are not replicas', () => {
    const junk = tempFile();
    fs.writeFileSync(junk, 'not a database, not even close to one; just some text that is long enough');
    expect(catchReport(junk).code).toBe('not_a_replica');
    const plain = tempFile();
    new Database(plain).exec('create table t (x)');
    expect(catchReport(plain).message).toMatch(/not a Fieldline replica/);
    expect(catchReport(dir).code).toBe('not_a_replica');
  });

  it('reports a fresh replica as empty, every synced table in order, with an empty outbox', () => {
    const file = tempFile();
    openReplica(file).db.close();
    const r = replicaReport(file);
    expect(r.file).toBe(file);
    expect(r.migrations).toMatchObject({ state: 'current', missing: [], unknown: [], changed: [] });
    expect(r.tables!.map((t) => t.table)).toEqual(SYNCED_TABLES.map((t) => t.name));
    expect(r.tables!.every((t) => t.state === 'empty' && t.rows === 0 && t.handle === null)).toBe(true);
    expect(r.summary).toMatchObject({ state: 'empty', tables: SYNCED_TABLES.length, synced: 0, rows: 0 });
    expect(r.outbox).toEqual({ queued: 0, awaitingConfirmation: 0, conflicts: 0, rejected: 0, overridden: 0 });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('counts real rows and reads stream positions, parked batches and phases; never changes the file', () => {
    const file = tempFile();
    const { db } = openReplica(file);
    const w = shapeStateWriter(db).write;
    db.transaction(() => {
      for (const id of ['a', 'b', 'c']) insertDeviceType(db, id);
      // rowCount deliberately wrong: the report counts the table itself.
      w(state('device_types', { rowCount: 99, bytes: 1234 }));
      w(state('organizations', { lastUpToDateAt: null, offset: '-1' as Offset }));
      w(
        state('tasks', {
          pending: { handle: 'h-next', offset: '12_inf' as Offset, refetch: true },
        }),
      );
      db.prepare(
        `insert into sync_pending (table_name, seq, "change") values ('tasks', 1, x'00'), ('tasks', 2, x'00')`,
      ).run();
    })();
    // A writer stays open (WAL not checkpointed), as while `fieldline sync` runs.
    const before = hash(file);
    const r = replicaReport(file);
    expect(hash(file)).toBe(before);
    const byName = Object.fromEntries(r.tables!.map((t) => [t.table, t]));
    expect(byName.device_types).toEqual({
      table: 'device_types',
      state: 'synced',
      rows: 3,
      handle: 'h-device_types',
      offset: '10_2',
      lastUpToDateAt: '2026-06-01T00:00:00.000Z',
      bytes: 1234,
      pending: null,
    });
    expect(byName.organizations).toMatchObject({ state: 'initial', rows: 0, offset: '-1', lastUpToDateAt: null });
    expect(byName.tasks!.pending).toEqual({ handle: 'h-next', offset: '12_inf', refetch: true, parkedChanges: 2 });
    expect(byName.devices!.state).toBe('empty');
    expect(r.summary).toMatchObject({ state: 'initial', synced: 2, initial: 1, rows: 3 });
    expect(r.summary!.oldestUpToDateAt).toBe('2026-06-01T00:00:00.000Z');
    db.close();
  });

  it('a table with rows but no stream position is initial, not empty', () => {
    const file = tempFile();
    const { db } = openReplica(file);
    insertDeviceType(db, 'x');
    db.close();
    expect(replicaReport(file).tables!.find((t) => t.table === 'device_types')!.state).toBe('initial');
  });

  it('reports migrations behind this app instead of applying them', () => {
    const file = tempFile();
    const all = loadReplicaMigrations();
    openReplica(file, { migrations: all.slice(0, 2) }).db.close();
    const before = hash(file);
    const r = replicaReport(file);
    expect(r.migrations).toMatchObject({
      state: 'behind',
      applied: 2,
      known: all.length,
      missing: all.slice(2).map((m) => m.file),
    });
    expect(r.tables).toBeNull();
    expect(r.summary).toBeNull();
    expect(r.note).toMatch(/behind/);
    expect(hash(file)).toBe(before);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('select count(*) from replica_migrations').pluck().get()).toBe(2);
    check.close();
  });

  it('says when the file was made by a newer app, and still reports its tables', () => {
    const file = tempFile();
    const all = loadReplicaMigrations();
    openReplica(file).db.close();
    const r = replicaReport(file, { migrations: all.slice(0, -1) });
    expect(r.migrations).toMatchObject({ state: 'ahead', unknown: [all.at(-1)!.version] });
    expect(r.tables).toHaveLength(SYNCED_TABLES.length);
    const changed = all.map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
    expect(replicaReport(file, { migrations: changed }).migrations).toMatchObject({
      state: 'changed',
      changed: [all[0]!.file],
    });
  });

  it('counts queued and unconfirmed edits and the open conflicts, rejections and overridden edits', () => {
    const file = tempFile();
    const { db } = openReplica(file);
    const edit = db.prepare(
      `insert into sync_outbox (id, table_name, op, pk, created_at, state) values (?, 'tasks', 'update', '{}', '', ?)`,
    );
    edit.run('m1', 'queued');
    edit.run('m2', 'queued');
    edit.run('m3', 'awaiting_txid');
    const inbox = db.prepare(
      `insert into sync_conflicts (mutation_id, kind, table_name, op, pk, created_at, resolved_at) values (?, ?, 'tasks', 'update', '{}', '', ?)`,
    );
    inbox.run('c1', 'conflict', null);
    inbox.run('c2', 'conflict', '2026-01-01');
    inbox.run('r1', 'rejected', null);
    // Told, not asked: an edit a rule overrode counts apart from the conflicts that wait for a decision.
    inbox.run('o1', 'overridden', null);
    inbox.run('o2', 'overridden', null);
    inbox.run('o3', 'overridden', '2026-01-01');
    db.close();
    expect(replicaReport(file).outbox).toEqual({
      queued: 2,
      awaitingConfirmation: 1,
      conflicts: 1,
      rejected: 1,
      overridden: 2,
    });
  });
});
