import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReplicaMigrations } from './migrations.js';
import { openReplica } from './open-replica.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-replica-'));
  dirs.push(dir);
  return path.join(dir, 'replica.db');
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('openReplica', () => {
  it('opens in WAL with the agreed pragmas and applies every migration once', () => {
    const file = tempFile();
    const first = openReplica(file);
    expect(first.migrations.applied).toEqual(loadReplicaMigrations().map((m) => m.file));
    expect(first.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(first.db.pragma('foreign_keys', { simple: true })).toBe(0);
    expect(first.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    first.db.close();
    const again = openReplica(file);
    expect(again.migrations).toEqual({ applied: [], alreadyApplied: loadReplicaMigrations().length });
    again.db.close();
  });

  it('refuses a replica whose applied migration changed or is unknown to this app', () => {
    const file = tempFile();
    openReplica(file).db.close();
    const edited = loadReplicaMigrations().map((m, i) => (i === 1 ? { ...m, checksum: 'f'.repeat(64) } : m));
    expect(() => openReplica(file, { migrations: edited })).toThrow(
      expect.objectContaining({ code: 'checksum_mismatch' }),
    );
    expect(() => openReplica(file, { migrations: loadReplicaMigrations().slice(0, 1) })).toThrow(
      /missing from the app/,
    );
  });

  it('rolls a failing migration back with its record', () => {
    const file = tempFile();
    const broken = [
      ...loadReplicaMigrations(),
      { version: 99, name: 'broken', file: '0099_broken.sql', sql: 'CREATE TABLE x (a); nonsense', checksum: 'x' },
    ];
    expect(() => openReplica(file, { migrations: broken })).toThrow(/0099_broken.sql failed/);
    const { db } = openReplica(file);
    expect(db.prepare(`select count(*) as n from sqlite_master where name = 'x'`).get()).toEqual({ n: 0 });
    db.close();
  });

  it('answers the app queries from indexes (query plans)', () => {
    const { db } = openReplica(tempFile());
    const plan = (sql: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan(`SELECT * FROM tasks WHERE assignee_id = ? ORDER BY due_at`, 'u')).toMatch(
      /USING INDEX tasks_assignee_due/,
    );
    expect(plan(`SELECT * FROM tasks WHERE assignee_id = ? ORDER BY due_at`, 'u')).not.toMatch(/TEMP B-TREE/);
    expect(plan(`SELECT * FROM devices WHERE property_id = ?`, 'p')).toMatch(/devices_property/);
    expect(plan(`SELECT * FROM devices WHERE device_type_id = ?`, 't')).toMatch(/devices_device_type/);
    expect(plan(`SELECT * FROM devices WHERE status = ?`, 'active')).toMatch(/devices_status/);
    // Case-insensitive prefix search becomes a range scan of the NOCASE index, escape clause included.
    expect(plan(`SELECT * FROM devices WHERE serial_number LIKE ? ESCAPE '\\'`, 'hk-7q%')).toMatch(
      /SEARCH devices USING INDEX devices_serial_nocase \(serial_number>\? AND serial_number<\?\)/,
    );
    db.close();
  });

  it('0010 widens the inbox to overridden edits, keeping every entry made before it', () => {
    const file = tempFile();
    const before = loadReplicaMigrations().filter((m) => m.version < 10);
    const old = openReplica(file, { migrations: before }).db;
    const entry = old.prepare(
      `insert into sync_conflicts (mutation_id, kind, table_name, op, pk, mine, base, conflicts, reason, created_at, resolved_at, resolution)
       values (?, ?, 'tasks', 'update', '{"id":"t"}', '{"notes":"m"}', '{"values":{"notes":"b"},"version":3}', ?, ?, ?, ?, ?)`,
    );
    entry.run('c1', 'conflict', '[{"column":"notes"}]', null, '2026-06-01T00:00:00Z', null, null);
    entry.run(
      'r1',
      'rejected',
      null,
      '{"code":"forbidden","message":"no"}',
      '2026-06-02T00:00:00Z',
      '2026-06-03',
      'take_theirs',
    );
    expect(() => entry.run('o0', 'overridden', '[]', null, '2026-06-04T00:00:00Z', null, null)).toThrow(/CHECK/);
    const rows = old.prepare('select * from sync_conflicts order by mutation_id').all();
    old.close();

    const { db, migrations } = openReplica(file, {
      migrations: loadReplicaMigrations().filter((m) => m.version <= 10),
    });
    expect(migrations.applied).toEqual(['0010_inbox_overridden.sql']);
    expect(db.prepare('select * from sync_conflicts order by mutation_id').all()).toEqual(rows);
    const again = db.prepare(
      `insert into sync_conflicts (mutation_id, kind, table_name, op, pk, created_at, resolved_at, resolution)
       values (?, ?, 'tasks', 'update', '{}', '', ?, ?)`,
    );
    again.run('o1', 'overridden', '2026-06-05', 'acknowledged');
    expect(() => again.run('x1', 'something', null, null)).toThrow(/CHECK/);
    expect(() => again.run('x2', 'conflict', '2026-06-05', 'ignored')).toThrow(/CHECK/);
    const plan = db.prepare(
      `EXPLAIN QUERY PLAN SELECT * FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY created_at`,
    );
    expect((plan.all() as { detail: string }[]).map((r) => r.detail).join(' ')).toMatch(/sync_conflicts_open/);
    db.close();
  });
});
