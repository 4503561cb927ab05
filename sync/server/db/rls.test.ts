/**
 * Row-level security, for every synced table (generated from SYNCED_TABLES, never hand-picked):
 * tenants are isolated for reads and writes, the table owner is bound too (FORCE), and each role's
 * write rights are exactly the rule set in shared/schema/tables.ts.
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, WRITE_OPS, type Role, type WriteOp } from '../../../shared/schema/roles.js';
import type { TableDef } from '../../../shared/schema/table.js';
import { SYNCED_TABLES } from '../../../shared/schema/tables.js';
import { loadDemo } from '../seed/load.js';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { userClaims } from './as-user.js';

let db: TestDatabase;
let client: pg.Client;
const org: Record<'northwind' | 'contoso', string> = { northwind: '', contoso: '' };
const user: Record<string, string> = {};
const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

beforeAll(async () => {
  db = await createTestDatabase('migrated');
  client = await connect(db.url);
  const result = await loadDemo(client, { seed: 7, anchor: new Date('2026-06-01T00:00:00Z') });
  if (!result.loaded) throw new Error('demo data did not load');
  for (const u of result.users) user[u.email] = u.id;
  const { rows } = await client.query<{ id: string; slug: 'northwind' | 'contoso' }>(
    'select id, slug from organizations',
  );
  for (const r of rows) org[r.slug] = r.id;
  // The demo has no owner; add one so every role is exercised.
  user['owner@northwind.test'] = await addMember(client, org.northwind, 'owner');
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

async function addMember(c: pg.ClientBase, orgId: string, role: Role): Promise<string> {
  const id = crypto.randomUUID();
  await c.query(`insert into app.users (id, email, password_hash, display_name) values ($1, $2, 'x', 'Test user')`, [
    id,
    `${id}@test.invalid`,
  ]);
  await c.query('insert into organization_members (organization_id, user_id, role) values ($1, $2, $3)', [
    orgId,
    id,
    role,
  ]);
  return id;
}

/** Runs `fn` in a transaction that is always rolled back, so every check starts from the same data. */
async function inRolledBackTx<T>(fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    return await fn();
  } finally {
    await client.query('rollback');
  }
}

async function becomeUser(userId: string | null): Promise<void> {
  await client.query('set local role authenticated');
  if (userId)
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(userClaims(userId))]);
}

const scopeCount = async (t: TableDef, orgId: string | null) => {
  const where = orgId ? `where ${q(t.scope)} = $1` : '';
  const { rows } = await client.query<{ n: string }>(
    `select count(*) as n from ${q(t.name)} ${where}`,
    orgId ? [orgId] : [],
  );
  return Number(rows[0]!.n);
};

/** A copy of one of the organization's rows with a new id and its unique columns made unique again (run as superuser). */
async function cloneRow(t: TableDef, orgId: string): Promise<Record<string, unknown>> {
  const { rows } = await client.query<{ r: Record<string, unknown> }>(
    `select to_jsonb(x) as r from ${q(t.name)} x where ${q(t.scope)} = $1 order by id limit 1`,
    [orgId],
  );
  const row: Record<string, unknown> = { ...rows[0]!.r, id: crypto.randomUUID() };
  const suffix = crypto.randomBytes(4).toString('hex');
  switch (t.name) {
    case 'organizations':
      row.slug = `clone-${suffix}`;
      break;
    case 'organization_members':
    case 'user_profiles': {
      const id = crypto.randomUUID();
      await client.query(
        `insert into app.users (id, email, password_hash, display_name) values ($1, $2, 'x', 'Clone')`,
        [id, `${id}@test.invalid`],
      );
      row.user_id = id;
      break;
    }
    case 'project_members':
    case 'task_subtask_assignees':
      row.user_id = await addMember(client, orgId, 'technician');
      break;
    case 'accounts':
      row.account_number = null;
      break;
    case 'devices':
      row.serial_number = `CLONE-${suffix}`;
      break;
    case 'files':
      row.storage_key = `clone/${suffix}`;
      break;
    case 'task_devices': {
      const free = await client.query<{ id: string }>(
        `select d.id from devices d where d.organization_id = $1
           and not exists (select 1 from task_devices td where td.task_id = $2 and td.device_id = d.id) limit 1`,
        [orgId, row.task_id],
      );
      row.device_id = free.rows[0]!.id;
      break;
    }
  }
  return row;
}

const insertRow = (t: TableDef, row: Record<string, unknown>) =>
  client.query(`insert into ${q(t.name)} select * from jsonb_populate_record(null::${q(t.name)}, $1)`, [row]);

/** The SQLSTATE of a failed statement, or 'ok'. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

describe('row-level security on every tenant table', () => {
  it('is enabled and forced on every ordinary table in public, and those are exactly the synced tables', async () => {
    const { rows } = await client.query<{
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
      owner: string;
    }>(
      `select relname, relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) as owner
         from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') order by relname`,
    );
    expect(rows.map((r) => r.relname).sort()).toEqual(SYNCED_TABLES.map((t) => t.name).sort());
    for (const r of rows) {
      expect(r, r.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true, owner: 'fieldline_owner' });
    }
  });

  describe.each(SYNCED_TABLES.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    it('a member reads exactly their own organization, never another', async () => {
      for (const [email, own, other] of [
        ['tech@northwind.test', org.northwind, org.contoso],
        ['admin@contoso.test', org.contoso, org.northwind],
      ] as const) {
        const expected = await scopeCount(t, own);
        expect(expected, `${t.name} has demo rows in each organization`).toBeGreaterThan(0);
        const seen = await inRolledBackTx(async () => {
          await becomeUser(user[email]!);
          return { all: await scopeCount(t, null), other: await scopeCount(t, other) };
        });
        expect(seen, email).toEqual({ all: expected, other: 0 });
      }
    });

    it('nobody without a membership, and no anonymous caller, reads anything', async () => {
      const seen = await inRolledBackTx(async () => {
        const outsider = crypto.randomUUID();
        await client.query(
          `insert into app.users (id, email, password_hash, display_name) values ($1, $2, 'x', 'Nobody')`,
          [outsider, `${outsider}@test.invalid`],
        );
        await becomeUser(outsider);
        const asOutsider = await scopeCount(t, null);
        await client.query(`select set_config('request.jwt.claims', '', true)`);
        return [asOutsider, await scopeCount(t, null)];
      });
      expect(seen).toEqual([0, 0]);
    });

    it("a member of one organization cannot insert, update or delete another organization's rows", async () => {
      for (const email of ['admin@northwind.test', 'tech@northwind.test']) {
        const result = await inRolledBackTx(async () => {
          const foreign = await cloneRow(t, org.contoso);
          const victim = (
            await client.query<{ id: string; row_version: string }>(
              `select id, row_version from ${q(t.name)} where ${q(t.scope)} = $1 order by id limit 1`,
              [org.contoso],
            )
          ).rows[0]!;
          await becomeUser(user[email]!);
          await client.query('savepoint s');
          const insert = await outcome(insertRow(t, foreign));
          await client.query('rollback to savepoint s');
          const update = (await client.query(`update ${q(t.name)} set id = id where id = $1`, [victim.id])).rowCount;
          const del = (await client.query(`delete from ${q(t.name)} where id = $1`, [victim.id])).rowCount;
          await client.query('reset role');
          const after = (
            await client.query<{ row_version: string }>(`select row_version from ${q(t.name)} where id = $1`, [
              victim.id,
            ])
          ).rows;
          return { insert, update, del, unchanged: after[0]?.row_version === victim.row_version };
        });
        expect(result, email).toEqual({ insert: '42501', update: 0, del: 0, unchanged: true });
      }
    });

    it.skipIf(t.scope !== 'organization_id' || !t.access.update.includes('admin'))(
      'a row cannot be moved into an organization the writer does not manage',
      async () => {
        const code = await inRolledBackTx(async () => {
          const { rows } = await client.query<{ id: string }>(
            `select id from ${q(t.name)} where organization_id = $1 limit 1`,
            [org.northwind],
          );
          await becomeUser(user['admin@northwind.test']!);
          return outcome(
            client.query(`update ${q(t.name)} set organization_id = $1 where id = $2`, [org.contoso, rows[0]!.id]),
          );
        });
        expect(code).toBe('42501');
      },
    );

    it('binds the table owner too (FORCE ROW LEVEL SECURITY)', async () => {
      const result = await inRolledBackTx(async () => {
        const row = await cloneRow(t, org.northwind);
        await client.query('set local role fieldline_owner');
        await client.query(`select set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify(userClaims(user['admin@northwind.test']!)),
        ]);
        const seen = await scopeCount(t, null);
        return { seen, insert: await outcome(insertRow(t, row)) };
      });
      expect(result).toEqual({ seen: 0, insert: '42501' });
    });

    const cases = ROLES.flatMap((role) => WRITE_OPS.map((op) => [role, op] as const));
    it.each(cases)('%s %s: allowed exactly as the rule set says', async (role: Role, op: WriteOp) => {
      const email = {
        owner: 'owner@northwind.test',
        admin: 'admin@northwind.test',
        dispatcher: 'dispatch@northwind.test',
        technician: 'tech@northwind.test',
      }[role];
      const allowed = t.access[op].includes(role);
      const got = await inRolledBackTx(async () => {
        if (op === 'insert') {
          const row = await cloneRow(t, org.northwind);
          await becomeUser(user[email]!);
          return outcome(insertRow(t, row));
        }
        if (op === 'update') {
          const { rows } = await client.query<{ id: string }>(
            `select id from ${q(t.name)} where ${q(t.scope)} = $1 limit 1`,
            [org.northwind],
          );
          await becomeUser(user[email]!);
          const r = await client.query(`update ${q(t.name)} set id = id where id = $1`, [rows[0]!.id]);
          return r.rowCount === 1 ? 'ok' : 'no rows';
        }
        // delete: a fresh row nothing references, so only the policy decides
        const row = await cloneRow(t, org.northwind);
        await insertRow(t, row);
        if (t.name === 'organizations') {
          await client.query('insert into organization_members (organization_id, user_id, role) values ($1, $2, $3)', [
            row.id,
            user[email],
            role,
          ]);
        }
        await becomeUser(user[email]!);
        const r = await client.query(`delete from ${q(t.name)} where id = $1`, [row.id]);
        return r.rowCount === 1 ? 'ok' : 'no rows';
      });
      if (allowed) expect(got).toBe('ok');
      else expect(got).toBe(op === 'insert' ? '42501' : 'no rows');
    });
  });

  it('a suspended or removed member loses access at once', async () => {
    const tech2 = user['tech2@northwind.test']!;
    const count = () =>
      inRolledBackTx(async () => {
        await becomeUser(tech2);
        const { rows } = await client.query<{ n: string }>('select count(*) as n from tasks');
        return Number(rows[0]!.n);
      });
    expect(await count()).toBeGreaterThan(0);
    await client.query(`update organization_members set status = 'suspended' where user_id = $1`, [tech2]);
    expect(await count()).toBe(0);
    await client.query(`update organization_members set status = 'active' where user_id = $1`, [tech2]);
    expect(await count()).toBeGreaterThan(0);
    await inRolledBackTx(async () => {
      await client.query('delete from organization_members where user_id = $1', [tech2]);
      await becomeUser(tech2);
      const { rows } = await client.query<{ n: string }>('select count(*) as n from tasks');
      expect(Number(rows[0]!.n)).toBe(0);
    });
  });
});
