import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/password.js';
import { connect, createTestDatabase } from '../testing/pg.js';
import type { TestDatabase } from '../testing/pg.js';
import { DEMO_PASSWORD } from './demo-data.js';
import { loadDemo } from './load.js';
import type { LoadResult } from './load.js';

const DEMO_EMAILS = [
  'admin@contoso.test',
  'admin@northwind.test',
  'dispatch@northwind.test',
  'tech2@northwind.test',
  'tech@contoso.test',
  'tech@northwind.test',
];

const ident = (client: pg.Client, table: string) =>
  table
    .split('.')
    .map((p) => client.escapeIdentifier(p))
    .join('.');

async function countRows(client: pg.Client, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${ident(client, t)}`);
    counts[t] = Number(rows[0]!.n);
  }
  return counts;
}

describe('loadDemo', () => {
  let db: TestDatabase;
  let client: pg.Client;
  let first: LoadResult;
  const progress: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('migrated');
    client = await connect(db.url);
    first = await loadDemo(client, { seed: 3, anchor: new Date('2026-03-15T00:00:00Z') }, (n) => progress.push(n));
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('loads, and the database holds exactly the rows it reports', async () => {
    if (!first.loaded) throw new Error(`not loaded: ${first.reason}`);
    expect(Object.keys(first.counts)).toContain('app.users');
    expect(first.counts.organizations).toBe(2);
    expect(first.counts.devices).toBeGreaterThan(500);
    expect(await countRows(client, Object.keys(first.counts))).toEqual(first.counts);
    const total = Object.values(first.counts).reduce((a, b) => a + b, 0);
    expect(progress.at(-1)).toBe(total);
    expect(first.users.map((u) => u.email).sort()).toEqual(DEMO_EMAILS);
  });

  it('stores the demo users with salted hashes of the demo password, never the password', async () => {
    const { rows } = await client.query<{ email: string; password_hash: string; whole: string }>(
      'select email, password_hash, row_to_json(u)::text as whole from app.users u order by email',
    );
    expect(rows.map((r) => r.email)).toEqual(DEMO_EMAILS);
    for (const r of rows) {
      expect(await verifyPassword(DEMO_PASSWORD, r.password_hash), r.email).toBe(true);
      expect(await verifyPassword('not-the-password', r.password_hash), r.email).toBe(false);
      expect(r.whole).not.toContain(DEMO_PASSWORD);
    }
    expect(new Set(rows.map((r) => r.password_hash)).size).toBe(rows.length);
  });

  it('does nothing the second time: { loaded: false } and unchanged counts', async () => {
    if (!first.loaded) throw new Error('first load failed');
    const before = await countRows(client, Object.keys(first.counts));
    const second = await loadDemo(client, { seed: 3 });
    expect(second).toEqual({ loaded: false, reason: expect.any(String) });
    expect(await countRows(client, Object.keys(first.counts))).toEqual(before);
  });
});

describe('loadDemo failing midway', () => {
  it('rolls everything back: one transaction', async () => {
    const db = await createTestDatabase('migrated');
    const client = await connect(db.url);
    try {
      // Contoso's technician is the last user the generator yields, so the failure comes late.
      await client.query(
        `insert into app.users (email, password_hash, display_name) values ('tech@contoso.test', 'x', 'Squatter')`,
      );
      await expect(loadDemo(client, { seed: 3 })).rejects.toThrow(/users_email_key|duplicate key/);
      const { rows } = await client.query<{ orgs: string; users: string; devices: string }>(
        `select (select count(*) from organizations) as orgs,
                (select count(*) from app.users) as users,
                (select count(*) from devices) as devices`,
      );
      expect(rows[0]).toEqual({ orgs: '0', users: '1', devices: '0' });
      // Nothing was left half-open: with the conflict gone, the same connection loads the lot.
      await client.query(`delete from app.users where email = 'tech@contoso.test'`);
      const retry = await loadDemo(client, { seed: 3 });
      expect(retry.loaded).toBe(true);
      const { rows: after } = await client.query<{ n: string }>('select count(*) as n from organizations');
      expect(after[0]!.n).toBe('2');
    } finally {
      await client.end();
      await db.drop();
    }
  });

  it('rolls back rows already inserted by earlier batches', async () => {
    const db = await createTestDatabase('migrated');
    const client = await connect(db.url);
    try {
      // A real failure, late: the second batch that reaches activity_logs raises. At scale 2 the
      // demo (~5,400 rows) needs more than one batch, so organizations, devices, … are in by then.
      await client.query(`
        create table inject_batches (n integer not null);
        insert into inject_batches values (0);
        create function inject_failure() returns trigger language plpgsql as $$
        begin
          update inject_batches set n = n + 1;
          if (select n from inject_batches) >= 2 then raise exception 'injected failure in a later batch'; end if;
          return null;
        end $$;
        create trigger inject_failure after insert on activity_logs
          for each statement execute function inject_failure();`);
      await expect(loadDemo(client, { seed: 3, scale: 2 })).rejects.toThrow(/injected failure in a later batch/);
      const { rows } = await client.query<{ orgs: string; users: string; devices: string; batches: number }>(
        `select (select count(*) from organizations) as orgs,
                (select count(*) from app.users) as users,
                (select count(*) from devices) as devices,
                (select n from inject_batches) as batches`,
      );
      expect(rows[0]).toEqual({ orgs: '0', users: '0', devices: '0', batches: 0 });
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
