import { describe, expect, it } from 'vitest';
import { getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig } from 'drizzle-orm/sqlite-core';
import { COLUMN_KINDS } from './columns.js';
import { pgSchema } from './drizzle-pg.js';
import { sqliteSchema } from './drizzle-sqlite.js';
import { ROLES, WRITE_OPS } from './roles.js';
import { primaryKey, publicColumnNames } from './table.js';
import { SYNCED_TABLES } from './tables.js';

describe('synced table definitions', () => {
  it.each(SYNCED_TABLES.map((t) => [t.name, t] as const))('%s follows the conventions', (_name, t) => {
    expect(primaryKey(t)).toEqual(['id']);
    expect(t.columns.id!.kind).toBe('uuid');
    expect(t.columns[t.scope]!.kind).toBe('uuid');
    if (t.name !== 'organizations') expect(t.scope).toBe('organization_id');
    for (const c of ['created_at', 'updated_at', 'row_version']) expect(t.columns).toHaveProperty(c);
    expect(t.columns.row_version!.serverOwned).toBe(true);
    for (const op of WRITE_OPS) for (const r of t.access[op]) expect(ROLES).toContain(r);
    for (const [name, c] of Object.entries(t.columns)) {
      if (name.endsWith('_at')) expect(c.kind, name).toBe('timestamptz');
      if (name.endsWith('_cents')) expect(['integer', 'bigint'], name).toContain(c.kind);
    }
  });

  it('has unique names, and technicians cannot delete properties, accounts or projects nor touch memberships', () => {
    expect(new Set(SYNCED_TABLES.map((t) => t.name)).size).toBe(SYNCED_TABLES.length);
    const byName = Object.fromEntries(SYNCED_TABLES.map((t) => [t.name, t]));
    for (const t of ['properties', 'accounts', 'projects'])
      expect(byName[t]!.access.delete).not.toContain('technician');
    for (const op of WRITE_OPS) expect(byName.organization_members!.access[op]).not.toContain('technician');
    for (const t of ['tasks', 'task_subtasks', 'devices']) expect(byName[t]!.access.update).toContain('technician');
    for (const t of ['files', 'attachments']) expect(byName[t]!.access.insert).toContain('technician');
  });

  it('drizzle Postgres tables carry every column with its mapped type and nullability', () => {
    for (const t of SYNCED_TABLES) {
      const cfg = pgConfig(pgSchema[t.name]!);
      expect(cfg.name).toBe(t.name);
      const cols = Object.fromEntries(cfg.columns.map((c) => [c.name, c]));
      expect(Object.keys(cols).sort()).toEqual(Object.keys(t.columns).sort());
      for (const [name, def] of Object.entries(t.columns)) {
        expect(cols[name]!.getSQLType(), `${t.name}.${name}`).toBe(
          def.kind === 'timestamptz' ? 'timestamp with time zone' : COLUMN_KINDS[def.kind].pg,
        );
        expect(cols[name]!.notNull, `${t.name}.${name}`).toBe(!def.nullable);
      }
    }
  });

  it('drizzle SQLite tables carry the public columns only, with replica types', () => {
    for (const t of SYNCED_TABLES) {
      const cfg = sqliteConfig(sqliteSchema[t.name]!);
      const cols = Object.fromEntries(cfg.columns.map((c) => [c.name, c]));
      expect(Object.keys(cols).sort()).toEqual(publicColumnNames(t).sort());
      for (const name of publicColumnNames(t)) {
        expect(cols[name]!.getSQLType(), `${t.name}.${name}`).toBe(COLUMN_KINDS[t.columns[name]!.kind].sqlite);
      }
    }
  });
});
