/**
 * The validator's allow-list against a real Postgres: every accepted clause must run, wrapped the
 * way the shape service embeds it, and renumbered clauses must combine into one query.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createTestDatabase } from '../../testing/pg.js';
import type { TestDatabase } from '../../testing/pg.js';
import { loadTableInfo } from '../inspector.js';
import { ACCEPTED_WHERES, FIXTURE_DDL, FIXTURE_TABLE } from './test-fixtures.js';
import { renumberParams, rewriteParams, validateWhere } from './validate-where.js';

/** How the shape service embeds a where clause: in parentheses, on lines of its own. */
const embed = (where: string) => `(\n${where}\n)`;

describe('where clauses on Postgres', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('empty');
    client = await connect(db.url);
    await client.query(FIXTURE_DDL);
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  async function matchingRows(where: string, params: readonly string[] = []): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from "Work Items" where ${embed(where)}`,
      [...params],
    );
    return rows[0]!.n;
  }

  it('the fixture TableInfo is what the inspector reads for the fixture DDL', async () => {
    const info = await loadTableInfo(client, 'public', 'Work Items');
    const shape = (t: typeof FIXTURE_TABLE) =>
      t.columns.map(({ name, typname, dims, typtype }) => ({ name, typname, dims, typtype }));
    expect(info && shape(info)).toEqual(shape(FIXTURE_TABLE));
  });

  it.each(ACCEPTED_WHERES)('accepts and runs: $where', async ({ where, params = [] }) => {
    expect(validateWhere(where, params, FIXTURE_TABLE)).toMatchObject({ ok: true });
    // Every fixture clause is written to match the fixture's one row.
    expect(await matchingRows(where, params)).toBe(1);
  });

  it('a trailing line comment cannot swallow what follows the embedded clause', async () => {
    const where = 'id = 1 -- ) or true';
    expect(validateWhere(where, [], FIXTURE_TABLE).ok).toBe(true);
    const { rows } = await client.query(`select 1 from "Work Items" where ${embed(where)} and false`);
    expect(rows).toEqual([]);
  });

  it('params a clause does not use must be left out of the query, closing the gaps', async () => {
    const params = ['unused', 'alpha'];
    const valid = validateWhere('title = $2', params, FIXTURE_TABLE);
    if (!valid.ok) throw new Error(valid.message);
    await expect(matchingRows(valid.where, params)).rejects.toThrow(/could not determine data type of parameter \$1/);
    const used = valid.referencedParams;
    const compacted = rewriteParams(valid.where, (n) => used.indexOf(n) + 1);
    expect(
      await matchingRows(
        compacted,
        used.map((n) => params[n - 1]!),
      ),
    ).toBe(1);
  });

  it('renumbered clauses of several shapes evaluate together in one query', async () => {
    const shapes = [
      { where: "title = $1 AND '$1' <> $$ $2 $$", params: ['alpha'] },
      { where: 'id = $2::int8 AND "Mixed Case" = $1', params: ['Mixed', '1'] },
      { where: 'id = $1::int8 OR title = $2', params: ['2', 'beta'] },
    ];
    let shift = 0;
    const columns: string[] = [];
    const params: string[] = [];
    for (const shape of shapes) {
      expect(validateWhere(shape.where, shape.params, FIXTURE_TABLE)).toMatchObject({ ok: true });
      columns.push(`${embed(renumberParams(shape.where, shift))} as m${columns.length}`);
      params.push(...shape.params);
      shift += shape.params.length;
    }
    const { rows } = await client.query(`select ${columns.join(', ')} from "Work Items"`, params);
    expect(rows).toEqual([{ m0: true, m1: true, m2: false }]);
  });
});
