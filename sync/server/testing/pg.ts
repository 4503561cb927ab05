/** Test databases on the run's embedded Postgres cluster (see global-setup.ts). */
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

import { TEMPLATE_DB } from './constants.js';

export type TestDatabase = { url: string; name: string; drop(): Promise<void> };

const withDatabase = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A new database: `migrated` clones the migrated template, `empty` is bare. */
export async function createTestDatabase(kind: 'migrated' | 'empty' = 'migrated'): Promise<TestDatabase> {
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}${kind === 'migrated' ? ` template ${TEMPLATE_DB}` : ''}`);
  return {
    name,
    url: withDatabase(inject('pgAdminUrl'), name),
    drop: async () => {
      // Logical slots pin a database (and their names are cluster-wide): remove them first.
      await adminQuery(
        `select pg_terminate_backend(active_pid) from pg_replication_slots where database = '${name}' and active_pid is not null`,
      );
      for (let attempt = 0; ; attempt++) {
        try {
          await adminQuery(
            `select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = '${name}'`,
          );
          break;
        } catch (e) {
          // A terminated walsender may take a moment to release its slot.
          if (attempt >= 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
