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
});
