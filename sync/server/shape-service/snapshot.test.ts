import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase, type TestDatabase } from '../testing/pg.js';
import { electricSchema, loadTableInfo } from './inspector.js';
import { runSnapshot } from './snapshot.js';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('empty');
  client = await connect(db.url);
  await client.query(`
    create schema "My Schema";
    create type mood as enum ('happy', 'sad');
    create table "My Schema"."issues for, you" (
      "Id" int8 not null,
      "a ""quoted"" col" text,
      region text not null,
      flag boolean,
      score numeric(10, 2),
      tags text[],
      doc jsonb,
      at timestamptz,
      span interval,
      raw bytea,
      feeling mood,
      code varchar(12),
      primary key (region, "Id")
    );
    insert into "My Schema"."issues for, you" values
      (9007199254740993, 'a/b "c"', 'eu/west', true, 12.5, '{x,"y z"}', '{"k": [1, 2]}', '2026-01-02 03:04:05.123456+00',
       '1 day 2 hours', '\\xdeadbeef', 'happy', 'short'),
      (2, null, 'us', null, null, null, null, null, null, null, null, null);
  `);
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('inspector', () => {
  it('reads columns, types, array dims, enums, modifiers and the primary key in key order', async () => {
    const t = (await loadTableInfo(client, 'My Schema', 'issues for, you'))!;
    expect(t.pk).toEqual(['region', 'Id']);
    expect(JSON.parse(electricSchema(t))).toEqual({
      Id: { type: 'int8', dims: 0, pk_index: 1, not_null: true },
      'a "quoted" col': { type: 'text', dims: 0 },
      region: { type: 'text', dims: 0, pk_index: 0, not_null: true },
      flag: { type: 'bool', dims: 0 },
      score: { type: 'numeric', dims: 0, precision: 10, scale: 2 },
      tags: { type: 'text', dims: 1 },
      doc: { type: 'jsonb', dims: 0 },
      at: { type: 'timestamptz', dims: 0 },
      span: { type: 'interval', dims: 0 },
      raw: { type: 'bytea', dims: 0 },
      feeling: { type: 'mood', dims: 0 },
      code: { type: 'varchar', dims: 0, max_length: 12 },
    });
    expect(JSON.parse(electricSchema(t, ['region', 'Id']))).toEqual({
      Id: expect.objectContaining({ type: 'int8' }),
      region: expect.objectContaining({ type: 'text' }),
    });
    expect(await loadTableInfo(client, 'public', 'nope')).toBeUndefined();
  });
});

describe('snapshot', () => {
  it('encodes every row as an Electric insert message with text values and escaped keys', async () => {
    const table = (await loadTableInfo(client, 'My Schema', 'issues for, you'))!;
    const messages: string[] = [];
    const pos = await runSnapshot(
      client,
      { table, columns: table.columns.map((c) => c.name), params: [] },
      (m) => void messages.push(m),
    );
    expect(Number(pos.xmax)).toBeGreaterThanOrEqual(Number(pos.xmin));
    expect(pos.lsn).toBeGreaterThan(0n);
    const parsed = messages.map((m) => JSON.parse(m)).sort((a, b) => a.key.localeCompare(b.key));
    expect(parsed[0]).toEqual({
      key: '"My Schema"."issues for, you"/"eu//west"/"9007199254740993"',
      value: {
        Id: '9007199254740993',
        'a "quoted" col': 'a/b "c"',
        region: 'eu/west',
        flag: 'true',
        score: '12.50',
        tags: '{x,"y z"}',
        doc: '{"k": [1, 2]}',
        at: '2026-01-02 03:04:05.123456+00',
        span: 'P1DT2H',
        raw: '\\xdeadbeef',
        feeling: 'happy',
        code: 'short',
      },
      headers: { operation: 'insert', relation: ['My Schema', 'issues for, you'] },
    });
    expect(parsed[1].value).toMatchObject({ Id: '2', flag: null, tags: null, raw: null });
  });

  it('applies the where clause with bound params and selected columns only', async () => {
    const table = (await loadTableInfo(client, 'My Schema', 'issues for, you'))!;
    const messages: string[] = [];
    await runSnapshot(
      client,
      { table, columns: ['Id', 'region'], where: '"Id" > $1', params: ['5'] },
      (m) => void messages.push(m),
    );
    expect(messages.map((m) => JSON.parse(m).value)).toEqual([{ Id: '9007199254740993', region: 'eu/west' }]);
  });
});
