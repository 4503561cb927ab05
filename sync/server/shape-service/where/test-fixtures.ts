/** A table with awkward names and the where clauses it must accept, shared by the where tests. */
import type { ColumnInfo, TableInfo } from '../types.js';

/** The fixture table as Postgres DDL (for the tests that run the clauses on a real database). */
export const FIXTURE_DDL = `
  create type "Job Status" as enum ('open', 'in progress', 'done');
  create table "Work Items" (
    id int8 primary key,
    title text not null,
    "Mixed Case" text,
    "qty, total" int4,
    status "Job Status",
    payload jsonb,
    tags text[],
    flags bool[],
    done bool,
    due date,
    starts time,
    created_at timestamptz,
    span interval,
    ratio float8,
    price numeric(10, 2),
    uid uuid
  );
  insert into "Work Items" values
    (1, 'alpha', 'Mixed', 3, 'open', '{"a": 1}', '{urgent,a}', '{t,f}', true, '2024-01-02', '09:00',
     '2024-01-02 10:00+00', '1 day', 1.5, 9.99, '00000000-0000-0000-0000-000000000001');
`;

const column = (name: string, typname: string, typeOid: number, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  typname,
  typeOid,
  dims: 0,
  typtype: 'b',
  notNull: false,
  typeMod: -1,
  ...extra,
});

/** What the catalog inspector reports for FIXTURE_DDL's table (type OIDs of enum/arrays are per database). */
export const FIXTURE_TABLE: TableInfo = {
  oid: 16_384,
  schema: 'public',
  name: 'Work Items',
  pk: ['id'],
  columns: [
    column('id', 'int8', 20, { notNull: true, pkIndex: 0 }),
    column('title', 'text', 25, { notNull: true }),
    column('Mixed Case', 'text', 25),
    column('qty, total', 'int4', 23),
    column('status', 'Job Status', 16_385, { typtype: 'e' }),
    column('payload', 'jsonb', 3802),
    column('tags', 'text', 1009, { dims: 1 }),
    column('flags', 'bool', 1000, { dims: 1 }),
    column('done', 'bool', 16),
    column('due', 'date', 1082),
    column('starts', 'time', 1083),
    column('created_at', 'timestamptz', 1184),
    column('span', 'interval', 1186),
    column('ratio', 'float8', 701),
    column('price', 'numeric', 1700, { typeMod: 655_366 }),
    column('uid', 'uuid', 2950),
  ],
};

export type WhereCase = { readonly where: string; readonly params?: readonly string[] };

/** Valid clauses covering every allowed construct at least once; each is also valid in Postgres. */
export const ACCEPTED_WHERES: readonly WhereCase[] = [
  // Columns, quoting, constants, parameters.
  { where: 'id = 1' },
  { where: '"Mixed Case" = $1', params: ['Mixed'] },
  { where: '"qty, total" > 1 AND "qty, total" <= $1', params: ['10'] },
  { where: 'U&"Mixed\\0020Case" = \'Mixed\'' },
  { where: "title = E'al\\x70ha' OR title = $$it's$$ OR title = U&'\\0061lpha'" },
  { where: '$1 = title', params: ['alpha'] },
  { where: 'title = $2 AND id = $1', params: ['1', 'alpha'] },
  { where: 'done' },
  { where: '(done)' },
  { where: 'true' },
  { where: 'NOT (id = 2 OR id = 3) OR false' },
  { where: "title = 'x' OR true" },
  // Enums.
  { where: "status = 'open'" },
  { where: 'status = $1', params: ['open'] },
  { where: 'status = $1::"Job Status"', params: ['open'] },
  { where: "status IN ('open', 'in progress')" },
  // Comparison, arithmetic, bitwise operators.
  { where: 'id <> 2 AND id != 3 AND id < 5 AND id > 0 AND id <= 1 AND id >= 1' },
  { where: '(id + 1) * 2 - 4 / 2 >= -id' },
  { where: '2 ^ 3 = 8 AND |/ ratio > 1 AND @ ratio < 5 AND +id > 0' },
  { where: '(id & 1) = 1 AND (id | 2) = 3 AND (id # 1) = 0 AND ~id < 0' },
  { where: 'id OPERATOR(pg_catalog.=) 1' },
  // LIKE family.
  { where: "title LIKE 'al%' AND title NOT LIKE '%x' AND title ILIKE $1 AND title NOT ILIKE 'b%'", params: ['AL%'] },
  { where: "title ~~ 'a%' AND title !~~* 'B%'" },
  { where: "like(title, 'a%')" },
  // IN, BETWEEN, DISTINCT, NULL and boolean tests.
  { where: 'id IN (1, 2, 3) AND id NOT IN (4)' },
  { where: 'id BETWEEN 1 AND 10 AND id NOT BETWEEN 5 AND 6' },
  { where: 'id BETWEEN SYMMETRIC 10 AND 1 AND id NOT BETWEEN SYMMETRIC 7 AND 5' },
  { where: 'title IS DISTINCT FROM $1 AND "Mixed Case" IS NOT DISTINCT FROM \'Mixed\'', params: ['beta'] },
  { where: 'payload IS NOT NULL AND uid IS NOT NULL AND price ISNULL IS FALSE' },
  { where: 'done IS TRUE AND done IS NOT FALSE AND done IS NOT UNKNOWN' },
  { where: '(id = 2) IS FALSE AND (id = 1) IS NOT TRUE IS FALSE AND NULL::bool IS UNKNOWN' },
  // Arrays.
  { where: 'title = ANY($1::text[])', params: ['{alpha,beta}'] },
  { where: "id = ANY(ARRAY[1, 2]) AND id <> ALL('{3,4}') AND title LIKE ANY(ARRAY['a%'])" },
  { where: "tags @> ARRAY['urgent'] AND tags <@ $1::text[] AND tags && '{a}'", params: ['{urgent,a,b}'] },
  { where: "tags[1] = 'urgent' AND tags[1:1] = ARRAY['urgent'] AND tags[2:] = '{a}'" },
  { where: 'flags[1]' },
  { where: "array_ndims(tags) = 1 AND array_cat(tags, ARRAY['x']) <> tags" },
  { where: "array_append(tags, 'x') <> array_prepend('y', tags)" },
  { where: "tags || 'z'::text <> tags AND ARRAY[[1, 2], [3, 4]] = '{{1,2},{3,4}}'" },
  // Rows.
  { where: "(id, title) = (1, 'alpha') AND ROW(id, done) <> ROW(2, false)" },
  // Casts.
  { where: "CAST(id AS text) = '1' AND id::int4 = 1 AND id::integer = 1 AND ratio::float4 > 1" },
  { where: "price::float8 > 1.5 AND title::varchar(5) = 'alpha' AND 'alpha'::bytea = 'alpha'::bytea" },
  { where: "payload = '{\"a\": 1}'::jsonb AND payload['a'] = '1'" },
  {
    where: 'uid = $1::uuid AND created_at > $2::timestamptz',
    params: ['00000000-0000-0000-0000-000000000001', '2024-01-01'],
  },
  { where: "due::timestamp < '2025-01-01'::timestamp AND starts < '12:00'::time AND $1::bool", params: ['t'] },
  { where: "span = interval '1' day AND span >= '1 hour'::interval AND span <= '1 day'::pg_catalog.interval" },
  {
    where: "id = int8($1::text) AND text(id) = '1' AND uid = uuid('00000000-0000-0000-0000-000000000001')",
    params: ['1'],
  },
  { where: "int4('1') = 1 AND float8('1.5') > 1 AND bool('t')" },
  { where: "price < \"numeric\"('10') AND span = \"interval\"('1 day') AND due = date('2024-01-02')" },
  // Dates and intervals.
  { where: "due + 1 > $1::date AND due - 1 < '2024-02-01'::date", params: ['2024-01-01'] },
  { where: "created_at - interval '1 hour' < '2024-01-03'::timestamptz AND due + interval '1 day' > due" },
  { where: "justify_days(span) >= interval '1 day' AND justify_hours(span) = justify_interval(span)" },
  { where: "created_at AT TIME ZONE 'UTC' > '2024-01-01'::timestamp AND timezone('UTC', created_at) < '2025-01-01'" },
  // Functions and conditional expressions.
  { where: "lower(title) = upper($1) OR concat(title, '-', id) <> ''", params: ['x'] },
  { where: "pg_catalog.lower(title) = 'alpha'" },
  { where: 'coalesce(done, false)' },
  { where: 'coalesce("Mixed Case", title) = \'Mixed\' AND greatest(id, 5) > least(id, 3)' },
  // Comments.
  { where: 'id = 1 -- trailing comment' },
  { where: '/* leading */ id = 1 /* nested /* comment */ */' },
];
