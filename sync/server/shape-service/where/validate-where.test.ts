import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnInfo, TableInfo } from '../types.js';
import { ACCEPTED_WHERES, FIXTURE_TABLE } from './test-fixtures.js';
import { MAX_WHERE_LENGTH, validateWhere } from './validate-where.js';
import type { WhereLimits } from './validate-where.js';

const validate = (where: string, params: readonly string[] = [], opts: Partial<WhereLimits> = {}) =>
  validateWhere(where, params, FIXTURE_TABLE, opts);

const refusal = (message: string) => ({ ok: false, message });

describe('validateWhere accepts', () => {
  it.each(ACCEPTED_WHERES)('$where', ({ where, params = [] }) => {
    expect(validate(where, params)).toMatchObject({ ok: true, where });
  });

  it('reports the columns (in table order) and the parameters a clause uses', () => {
    const where = `"Mixed Case" = $3 AND id > $1 AND ("Mixed Case" <> 'x' OR done)`;
    expect(validate(where, ['1', 'unused', 'a'])).toEqual({
      ok: true,
      where,
      referencedColumns: ['id', 'Mixed Case', 'done'],
      referencedParams: [1, 3],
      paramCount: 3,
    });
  });

  it('allows provided parameters that the clause does not use, as Electric does', () => {
    expect(validate('done', ['a', 'b'])).toMatchObject({ ok: true, referencedParams: [], paramCount: 0 });
  });

  it('leaves to Postgres the boolean-ness it cannot decide without a database', () => {
    expect(validate('($1::bool[])[1]', ['{t}'])).toMatchObject({ ok: true });
    expect(validate('coalesce($1, done)', ['t'])).toMatchObject({ ok: true });
    const domainFlag: ColumnInfo = { ...FIXTURE_TABLE.columns[8]!, name: 'flag', typname: 'yes_no', typtype: 'd' };
    const withDomain: TableInfo = { ...FIXTURE_TABLE, columns: [...FIXTURE_TABLE.columns, domainFlag] };
    expect(validateWhere('flag', [], withDomain)).toMatchObject({ ok: true });
  });

  it('accepts casts to the enum types of this table only', () => {
    expect(validate(`status = 'open'::"Job Status"`)).toMatchObject({ ok: true });
    expect(validate(`status::text = 'open'::mood`)).toEqual(refusal('At location 23: unsupported type mood'));
  });
});

describe('validateWhere refuses', () => {
  // [where, params, message]
  const cases: [string, string[], string][] = [
    // Syntax: positions count from the start of `SELECT 1 WHERE <where>`.
    ['1 x 1', [], 'At location 17: syntax error at or near "x"'],
    ['OR true', [], 'At location 15: syntax error at or near "OR"'],
    ['(id = 1', [], 'At location 22: syntax error at end of input'],
    ['id = 1)', [], 'At location 21: syntax error at or near ")"'],
    ['', [], 'At location 15: syntax error at end of input'],
    ["title = 'x", [], `At location 23: unterminated quoted string at or near "'x"`],
    ['id = 1 /* open', [], 'At location 22: unterminated /* comment at or near "/* open"'],
    ["'é' x 1", [], 'At location 19: syntax error at or near "x"'],
    // Anything after the WHERE.
    ['1=1; drop table x', [], 'unescaped ";" causing statement split'],
    ['id = 1;', [], 'unescaped ";" causing statement split'],
    ['id = 1 ORDER BY id', [], 'malformed query ending with SQL clauses'],
    ['id = 1 LIMIT 1', [], 'malformed query ending with SQL clauses'],
    ['true OFFSET 1', [], 'malformed query ending with SQL clauses'],
    ['id = 1 GROUP BY id', [], 'malformed query ending with SQL clauses'],
    ['true HAVING true', [], 'malformed query ending with SQL clauses'],
    ['true WINDOW w AS ()', [], 'malformed query ending with SQL clauses'],
    ['true FOR UPDATE', [], 'malformed query ending with SQL clauses'],
    ['true UNION SELECT 2', [], 'malformed query ending with SQL clauses'],
    ['id = 1 FROM x', [], 'At location 22: syntax error at or near "FROM"'],
    // Sub-selects.
    ['(select 1) = 1', [], 'At location 0: subqueries are not supported'],
    ['id in (select id from other)', [], 'At location 3: subqueries are not supported'],
    ['exists(select 1)', [], 'At location 0: subqueries are not supported'],
    ['id = ANY(select 1)', [], 'At location 3: subqueries are not supported'],
    ['tags = ARRAY(select 1)', [], 'At location 7: subqueries are not supported'],
    // Functions, aggregates, window functions.
    ['pg_sleep(10) is null', [], 'At location 0: unknown or unsupported function pg_sleep/1'],
    ['now() > created_at', [], 'At location 0: unknown or unsupported function now/0'],
    ['pg_catalog.now() > created_at', [], 'At location 0: unknown or unsupported function now/0'],
    ['random() > 0.5', [], 'At location 0: unknown or unsupported function random/0'],
    ["set_config('a', 'b', false) = 'b'", [], 'At location 0: unknown or unsupported function set_config/3'],
    ["current_setting('x') = 'y'", [], 'At location 0: unknown or unsupported function current_setting/1'],
    ['public.lower(title) = title', [], 'At location 0: unknown or unsupported function public.lower/1'],
    ['"Lower"(title) = title', [], 'At location 0: unknown or unsupported function "Lower"/1'],
    ['lower(title, 1) = title', [], 'At location 0: unknown or unsupported function lower/2'],
    ["ilike(title, 'a')", [], 'At location 0: unknown or unsupported function ilike/2'],
    ["title LIKE 'a%' ESCAPE '!'", [], 'At location 6: unknown or unsupported function like_escape/2'],
    ['count(*) > 0', [], 'At location 0: aggregation is not supported in this context'],
    ['count(id) > 0', [], 'At location 0: unknown or unsupported function count/1'],
    ['sum(id) FILTER (WHERE true) > 0', [], 'At location 0: aggregation is not supported in this context'],
    ['row_number() over () = 1', [], 'At location 0: aggregation is not supported in this context'],
    ["concat(VARIADIC tags) = 'a'", [], 'At location 0: explicit VARIADIC function calls are not currently supported'],
    ['lower(a => title) = title', [], 'At location 6: NamedArgExpr is not supported in this context'],
    // Parameters.
    ['$3 = title', ['a', 'b'], 'At location 0: parameter $3 was not provided'],
    ['$0 = title', ['a'], 'At location 0: parameter $0 was not provided'],
    ['id = $1', [], 'At location 5: parameter $1 was not provided'],
    // References: unknown, other tables, system columns, `*`, field selection.
    ["ctid = '(0,1)'", [], 'At location 0: unknown reference ctid'],
    ['xmin = 1', [], 'At location 0: unknown reference xmin'],
    ['other_table.id = 1', [], 'At location 0: unknown reference other_table.id'],
    ['"Work Items".id = 1', [], 'At location 0: unknown reference "Work Items".id'],
    ['"unknown column" = 1', [], 'At location 0: unknown reference "unknown column"'],
    ['"mixed case" = 1', [], 'At location 0: unknown reference "mixed case"'],
    ["done AND 'é' = nope", [], 'At location 15: unknown reference nope'],
    ['"Work Items".* IS NULL', [], 'At location 0: unknown reference "Work Items".*'],
    ['(payload).a = 1', [], 'At location 1: field selection is not supported'],
    // Types and operators.
    ['id::numeric > 1', [], 'At location 4: unsupported type numeric'],
    ["'pg_authid'::regclass::oid > 0", [], 'At location 13: unsupported type regclass'],
    ['title::public.mood = title', [], 'At location 7: unsupported type public.mood'],
    ["title ~ 'a'", [], 'At location 6: unknown binary operator ~'],
    ["payload->>'a' = 'x'", [], 'At location 7: unknown binary operator ->>'],
    ['id % 2 = 0', [], 'At location 3: unknown binary operator %'],
    ['id OPERATOR(public.=) 1', [], 'At location 3: unknown binary operator public.='],
    ['id + ANY(ARRAY[1])', [], 'At location 3: ANY/ALL requires operator that returns bool'],
    ["title SIMILAR TO 'a'", [], 'At location 6: SIMILAR TO is not supported'],
    ['nullif(id, 1) = 1', [], 'At location 0: NULLIF is not supported'],
    ["b'101' = b'101'", [], 'At location 0: BitString values are not supported'],
    // Node types outside the allow-list.
    [`title COLLATE "C" = 'a'`, [], 'At location 6: CollateClause is not supported in this context'],
    ['CASE WHEN done THEN true END', [], 'At location 0: CaseExpr is not supported in this context'],
    ['current_date > due', [], 'At location 0: SQLValueFunction is not supported in this context'],
    ["'a' IS JSON", [], 'At location 0: JsonIsPredicate is not supported in this context'],
    // Not boolean.
    ['id', [], 'WHERE clause must return a boolean'],
    ['1', [], 'WHERE clause must return a boolean'],
    ["'t'", [], 'WHERE clause must return a boolean'],
    ['NULL', [], 'WHERE clause must return a boolean'],
    ['$1', ['t'], 'WHERE clause must return a boolean'],
    ['title', [], 'WHERE clause must return a boolean'],
    ['status', [], 'WHERE clause must return a boolean'],
    ['flags', [], 'WHERE clause must return a boolean'],
    ['id + 1', [], 'WHERE clause must return a boolean'],
    ['lower(title)', [], 'WHERE clause must return a boolean'],
    ['done::text', [], 'WHERE clause must return a boolean'],
    ['tags[1]', [], 'WHERE clause must return a boolean'],
    ['flags[1:1]', [], 'WHERE clause must return a boolean'],
    ['ARRAY[true]', [], 'WHERE clause must return a boolean'],
    ['(done, done)', [], 'WHERE clause must return a boolean'],
    ['coalesce(id, 0)', [], 'WHERE clause must return a boolean'],
    ['id AND done', [], 'At location 0: argument of AND must be type boolean'],
    ['done OR 1', [], 'At location 8: argument of OR must be type boolean'],
    ['NOT title', [], 'At location 4: argument of NOT must be type boolean'],
    ['id IS TRUE', [], 'At location 3: argument of IS TRUE must be type boolean'],
    // Characters the parser must not see.
    ['done\u0000 OR true', [], 'At location 4: invalid character'],
    ['done AND title = \ud800', [], 'At location 17: invalid character'],
  ];

  it.each(cases)('%j', (where, params, message) => {
    expect(validate(where, params)).toEqual(refusal(message));
  });
});

describe('validateWhere limits', () => {
  const inList = (items: number) => `id IN (${Array.from({ length: items }, (_, i) => i).join(',')})`;

  it('refuses a where longer than the maximum before parsing it', () => {
    const huge = `id = 1 OR ${'x'.repeat(1_000_000)}`;
    const started = performance.now();
    expect(validate(huge)).toEqual(refusal('WHERE clause is too long (maximum 10000 characters)'));
    expect(performance.now() - started).toBeLessThan(50);
    expect(validate(inList(50_000))).toEqual(refusal('WHERE clause is too long (maximum 10000 characters)'));
  });

  it('takes a smaller maximum length, but never more than the parser can take safely', () => {
    expect(validate('id = 100', [], { maxLength: 7 })).toEqual(
      refusal('WHERE clause is too long (maximum 7 characters)'),
    );
    expect(validate(inList(50_000), [], { maxLength: 10_000_000 })).toEqual(
      refusal(`WHERE clause is too long (maximum ${MAX_WHERE_LENGTH} characters)`),
    );
  });

  it('refuses IN lists, arrays and rows with too many items', () => {
    expect(validate(inList(1_000))).toMatchObject({ ok: true });
    expect(validate(inList(1_001))).toEqual(refusal('At location 3: IN list has more than 1000 items'));
    expect(validate(inList(11), [], { maxListItems: 10 })).toEqual(
      refusal('At location 3: IN list has more than 10 items'),
    );
    expect(validate('tags = ARRAY[1, 2, 3]', [], { maxListItems: 2 })).toEqual(
      refusal('At location 7: ARRAY has more than 2 items'),
    );
    expect(validate('(id, id, id) = (1, 2, 3)', [], { maxListItems: 2 })).toEqual(
      refusal('At location 0: ROW has more than 2 items'),
    );
  });

  it('refuses expressions with too many nodes', () => {
    const ors = Array.from({ length: 700 }, (_, i) => `id = ${i}`).join(' OR ');
    expect(validate(ors)).toEqual(refusal('WHERE clause is too complex (more than 2000 expression nodes)'));
    expect(validate('id = 1 AND id = 2', [], { maxNodes: 5 })).toEqual(
      refusal('WHERE clause is too complex (more than 5 expression nodes)'),
    );
  });

  it('refuses expressions nested too deeply', () => {
    expect(validate(`id = ${'1 + '.repeat(100)}1`)).toEqual(
      refusal('WHERE clause is nested too deeply (more than 100 levels)'),
    );
    expect(validate(`${'NOT '.repeat(5)}done`, [], { maxDepth: 5 })).toEqual(
      refusal('WHERE clause is nested too deeply (more than 5 levels)'),
    );
  });

  it('keeps the parser healthy with the deepest expressions that fit in the maximum length', () => {
    const deepest = [
      `id = ${'1+'.repeat(4_996)}1`,
      `${'NOT '.repeat(2_497)}done`,
      `id = ${'lower('.repeat(1_427)}1${')'.repeat(1_427)}`,
      `id = ${'(select'.repeat(1_249)} 1${')'.repeat(1_249)}`,
    ];
    for (const where of deepest) {
      expect(where.length).toBeLessThanOrEqual(MAX_WHERE_LENGTH);
      expect(validate(where).ok).toBe(false);
    }
    expect(validate('id = 1')).toMatchObject({ ok: true });
  });
});

describe('validateWhere never throws', () => {
  const fragments = [
    'id',
    'done',
    'title',
    '"Mixed Case"',
    'tags',
    '=',
    '<>',
    '+',
    '(',
    ')',
    '[',
    ']',
    ',',
    'AND',
    'OR',
    'NOT',
    'IN',
    'IS',
    'NULL',
    'LIKE',
    'BETWEEN',
    'ANY',
    'ARRAY',
    '::',
    'int4',
    'text[]',
    '$1',
    '$2',
    "'x'",
    "'",
    '$$',
    '--',
    '/*',
    '*/',
    ';',
    'select',
    'from',
    'lower',
    'now()',
    'count(*)',
    '1',
    '1.5',
    'true',
    'é',
    '\n',
  ];

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (where) => {
        expect(typeof validate(where, ['a']).ok).toBe('boolean');
      }),
    );
  });

  it('on SQL-ish token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 30 }), (parts) => {
        const result = validate(parts.join(' '), ['a', 'b']);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
