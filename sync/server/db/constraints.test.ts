import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemo } from '../seed/load.js';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('migrated');
  client = await connect(db.url);
  await loadDemo(client, { seed: 3, anchor: new Date('2026-06-01T00:00:00Z') });
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

it('refuses a NULL element in tasks.tags, which would stop every client syncing tasks', async () => {
  const { rows } = await client.query<{ id: string }>('select id from tasks limit 1');
  const err = await client
    .query(`update tasks set tags = '{ok,NULL}' where id = $1`, [rows[0]!.id])
    .catch((e: { code: string }) => e);
  expect(err).toMatchObject({ code: '23514' });
  await client.query(`update tasks set tags = '{ok,fine}' where id = $1`, [rows[0]!.id]);
});
