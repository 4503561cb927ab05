import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PARSED_WHERE_LENGTH } from './parse-where.js';
import { renumberParams, rewriteParams } from './renumber-params.js';
import { ACCEPTED_WHERES } from './test-fixtures.js';

describe('renumberParams', () => {
  // [where, shift, expected]
  const cases: [string, number, string][] = [
    ['id = $1', 3, 'id = $4'],
    ['id = $1 AND title = $2 OR id = $1', 10, 'id = $11 AND title = $12 OR id = $11'],
    ['$9 = id AND $10 = title AND $9 <> $10', 1, '$10 = id AND $11 = title AND $10 <> $11'],
    [
      'id = $1::int AND tags = $2::text[] AND title = CAST($3 AS text)',
      2,
      'id = $3::int AND tags = $4::text[] AND title = CAST($5 AS text)',
    ],
    ['($1)::int8 = id AND ($2::bool[])[1] AND id = ANY($3)', 1, '($2)::int8 = id AND ($3::bool[])[1] AND id = ANY($4)'],
    ['(id=$1)AND($2=title)', 1, '(id=$2)AND($3=title)'],
    ['id = $01', 1, 'id = $2'],
    ['id = $1', 0, 'id = $1'],
    ['done', 5, 'done'],
  ];

  it.each(cases)('%j shifted by %i', (where, shift, expected) => {
    expect(renumberParams(where, shift)).toBe(expected);
  });

  it('leaves $n alone inside string literals, dollar quotes, quoted identifiers and comments', () => {
    const where = [
      "title = '$1' AND title = E'\\'$1' AND title = $$ $1 $$ AND title = $q$ $1 $q$",
      'AND "$1" = $1 -- $1',
      '/* $1 */ AND id = $2',
    ].join('\n');
    expect(renumberParams(where, 4)).toBe(
      [
        "title = '$1' AND title = E'\\'$1' AND title = $$ $1 $$ AND title = $q$ $1 $q$",
        'AND "$1" = $5 -- $1',
        '/* $1 */ AND id = $6',
      ].join('\n'),
    );
  });

  it('finds placeholders after multi-byte characters', () => {
    expect(renumberParams("title = 'é😀' AND id = $1 AND 'ß' = $2", 2)).toBe("title = 'é😀' AND id = $3 AND 'ß' = $4");
  });

  it('undoes itself, for every accepted fixture clause', () => {
    for (const { where } of ACCEPTED_WHERES) {
      expect(renumberParams(renumberParams(where, 7), -7)).toBe(where);
    }
  });

  it('keeps everything but the numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 1, max: 30 }), (shift, count) => {
        const where = Array.from({ length: count }, (_, i) => `"c$${i}" = $${i + 1} /* $${i} */`).join(' OR ');
        const renumbered = renumberParams(where, shift);
        expect(renumbered.replace(/= \$\d+/g, '= $')).toBe(where.replace(/= \$\d+/g, '= $'));
        expect(renumberParams(renumbered, -shift)).toBe(where);
      }),
    );
  });

  it('parses texts up to the parser limit, refuses longer ones, and the parser stays healthy', () => {
    const deepest = `id = $1 AND id = ${'1+'.repeat(5_989)}1`;
    expect(deepest.length).toBeLessThanOrEqual(MAX_PARSED_WHERE_LENGTH);
    expect(renumberParams(deepest, 1)).toBe(deepest.replace('$1', '$2'));
    expect(() => renumberParams(`id = $1 AND id = ${'1+'.repeat(10_000)}1`, 1)).toThrow(/too long/);
    expect(renumberParams('id = $1', 1)).toBe('id = $2');
  });

  it('refuses results that are not parameters, and where texts that do not parse', () => {
    expect(() => renumberParams('id = $1', -1)).toThrow(RangeError);
    expect(() => renumberParams('id = $1 )', 1)).toThrow(/invalid where clause/);
  });
});

describe('rewriteParams', () => {
  it('maps each placeholder through a function, e.g. to close gaps left by unused params', () => {
    expect(rewriteParams('id = $3 OR title = $1 OR id = $3', (n) => (n === 3 ? 2 : n))).toBe(
      'id = $2 OR title = $1 OR id = $2',
    );
  });
});
