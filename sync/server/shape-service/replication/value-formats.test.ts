/**
 * Values arrive as Postgres text output under Electric's display settings, whatever the database's
 * own defaults: the database here is set up with different ones on purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/pg.js';
import { quoteLiteral } from './names.js';
import { DISPLAY_SETTINGS } from '../display-settings.js';
import {
  acknowledgeAndStop,
  createReplicationFixture,
  runStreaming,
  TransactionRecorder,
  type ReplicationFixture,
} from './test-support.js';

let fx: ReplicationFixture;

const COLUMNS = `
  id int primary key,
  at timestamptz, day date, ratio float8, third float8, blob bytea, span interval,
  big int8, amount numeric(40, 12), doc jsonb, ints int[], texts text[], status "Issue Status",
  code char(5), nothing text`;

const VALUES = `(
  1, '2024-03-05 14:07:09.123456+02', '2024-03-05', 0.1, 1.0 / 3, '\\xdeadbeef', '1 day 2 hours 3 minutes 4.5 seconds',
  9007199254740993, 12345678901234567890.123456789, '{"b": 1, "a": [1, 2.50]}', '{1,2,3}', array['a b', 'c"d', null],
  'in progress', 'ab', null)`;

const EXPECTED = {
  id: '1',
  at: '2024-03-05 12:07:09.123456+00',
  day: '2024-03-05',
  ratio: '0.1',
  third: '0.3333333333333333',
  blob: '\\xdeadbeef',
  span: 'P1DT2H3M4.5S',
  big: '9007199254740993',
  amount: '12345678901234567890.123456789000',
  doc: '{"a": [1, 2.50], "b": 1}',
  ints: '{1,2,3}',
  texts: '{"a b","c\\"d",NULL}',
  status: 'in progress',
  code: 'ab   ',
  nothing: null,
};

beforeAll(async () => {
  fx = await createReplicationFixture();
  // Defaults unlike Electric's, which a session that forgot its settings would use.
  await fx.sql.query(`
    alter database ${fx.db.name} set "DateStyle" = 'SQL, MDY';
    alter database ${fx.db.name} set "TimeZone" = 'America/New_York';
    alter database ${fx.db.name} set extra_float_digits = 0;
    alter database ${fx.db.name} set bytea_output = 'escape';
    alter database ${fx.db.name} set "IntervalStyle" = 'postgres_verbose';
    create type "Issue Status" as enum ('open', 'in progress', 'done');
    create table formats (${COLUMNS});
  `);
  await fx.manager.addTables([{ schema: 'public', name: 'formats' }]);
  await fx.manager.ensureSlot();
});

afterAll(async () => {
  await fx?.cleanup();
});

describe('replicated value formats', () => {
  it('uses the database defaults on an ordinary connection (so the next test proves something)', async () => {
    const plain = await connect(fx.db.url);
    try {
      const { rows } = await plain.query<Record<string, string>>(
        `select '2024-03-05 14:07:09+02'::timestamptz::text as at, (1.0 / 3)::float8::text as third,
                '\\xdeadbeef'::bytea::text as blob, '1 day 2 hours'::interval::text as span`,
      );
      expect(rows[0]).toEqual({
        at: '03/05/2024 07:07:09 EST',
        third: '0.333333333333333',
        blob: '\\336\\255\\276\\357',
        span: '@ 1 day 2 hours',
      });
    } finally {
      await plain.end();
    }
  });

  it('renders every type as Electric does: ISO UTC timestamps, shortest exact floats, hex bytea, ISO 8601 intervals', async () => {
    const recorder = new TransactionRecorder();
    const { stream } = await runStreaming(fx, recorder.handle);
    await fx.sql.query(`insert into formats values ${VALUES}`);
    const [tx] = await recorder.waitForCount(1);
    await acknowledgeAndStop(stream, recorder);

    const change = tx!.changes[0]!;
    expect(change.kind).toBe('insert');
    if (change.kind !== 'insert') return;
    expect({ ...change.newRow }).toEqual(EXPECTED);
    expect(BigInt(change.newRow.big!)).toBe(2n ** 53n + 1n);
  });

  it('matches what a query renders under DISPLAY_SETTINGS, as the snapshot will', async () => {
    const session = await connect(fx.db.url);
    try {
      for (const [name, value] of Object.entries(DISPLAY_SETTINGS)) {
        await session.query(`set ${name} = ${quoteLiteral(value)}`);
      }
      // concat() applies the type's output function, like pgoutput (a ::text cast would trim char(n)).
      const textOf = (n: string) => `case when ${n} is null then null else concat(${n}) end as ${n}`;
      const { rows } = await session.query<Record<string, string | null>>(
        `select ${Object.keys(EXPECTED).map(textOf).join(', ')} from formats where id = 1`,
      );
      expect(rows[0]).toEqual(EXPECTED);
    } finally {
      await session.end();
    }
  });
});
