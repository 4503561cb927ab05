import { describe, expect, it } from 'vitest';
import {
  MAX_IDENTIFIER_LENGTH,
  parseColumnList,
  parseIdentifier,
  parseRelation,
  quoteIdent,
  quoteQualifiedName,
} from './identifiers.js';

const ok = <T>(value: T) => ({ ok: true, value });
const fail = (error: string) => ({ ok: false, error });

describe('parseIdentifier', () => {
  it('lower-cases unquoted names and keeps quoted ones as written', () => {
    expect(parseIdentifier('FooBar')).toEqual(ok('foobar'));
    expect(parseIdentifier('"FooBar"')).toEqual(ok('FooBar'));
    expect(parseIdentifier('_x$1')).toEqual(ok('_x$1'));
  });

  it('lower-cases ASCII only, like Postgres in a UTF-8 database', () => {
    expect(parseIdentifier('ÄBC')).toEqual(ok('Äbc'));
    expect(parseIdentifier('café')).toEqual(ok('café'));
  });

  it('turns "" into a quote inside quoted names', () => {
    expect(parseIdentifier('"Foo""Bar"')).toEqual(ok('Foo"Bar'));
    expect(parseIdentifier('""""')).toEqual(ok('"'));
  });

  it('keeps spaces, commas and dots inside quotes', () => {
    expect(parseIdentifier('" "')).toEqual(ok(' '));
    expect(parseIdentifier('"a, b.c"')).toEqual(ok('a, b.c'));
  });

  it('rejects special characters in unquoted names', () => {
    for (const text of ['foob@r', ' ', 'a b', '1abc', 'Foo"Bar"', 'a-b', '"abc', 'abc"', 'a.b']) {
      expect(parseIdentifier(text)).toEqual(fail(`Invalid unquoted identifier contains special characters: ${text}`));
    }
  });

  it('rejects an unescaped quote inside a quoted name', () => {
    expect(parseIdentifier('"Foo"Bar"')).toEqual(fail('Invalid identifier with unescaped quote: Foo"Bar'));
    expect(parseIdentifier('"a"""b"')).toEqual(fail('Invalid identifier with unescaped quote: a"""b'));
  });

  it('rejects empty names, quoted or not', () => {
    for (const text of ['', '""', '"']) {
      expect(parseIdentifier(text)).toEqual(fail('Invalid zero-length delimited identifier'));
    }
  });

  it('accepts 63 characters and rejects 64, counting the name as Postgres sees it', () => {
    const tooLong = fail('Identifier is too long (max length is 63)');
    expect(MAX_IDENTIFIER_LENGTH).toBe(63);
    expect(parseIdentifier('a'.repeat(63))).toEqual(ok('a'.repeat(63)));
    expect(parseIdentifier('a'.repeat(64))).toEqual(tooLong);
    expect(parseIdentifier(`"${'A'.repeat(64)}"`)).toEqual(tooLong);
    // 62 letters and one escaped quote: 63 characters once unescaped.
    expect(parseIdentifier(`"${'a'.repeat(62)}"""`)).toEqual(ok(`${'a'.repeat(62)}"`));
    // Characters, not UTF-16 units: 63 emoji fit.
    expect(parseIdentifier(`"${'🔐'.repeat(63)}"`)).toEqual(ok('🔐'.repeat(63)));
  });
});

describe('parseRelation', () => {
  it('defaults the schema to public', () => {
    expect(parseRelation('issues')).toEqual(ok({ schema: 'public', name: 'issues' }));
    expect(parseRelation('Issues')).toEqual(ok({ schema: 'public', name: 'issues' }));
  });

  it('splits schema and name on an unquoted dot', () => {
    expect(parseRelation('App.Jobs')).toEqual(ok({ schema: 'app', name: 'jobs' }));
    expect(parseRelation('"App"."Jobs"')).toEqual(ok({ schema: 'App', name: 'Jobs' }));
    expect(parseRelation('"foo".bar')).toEqual(ok({ schema: 'foo', name: 'bar' }));
  });

  it('does not split on dots inside quotes', () => {
    expect(parseRelation('"foo.woah"."bar"')).toEqual(ok({ schema: 'foo.woah', name: 'bar' }));
    expect(parseRelation('"a.b.c"')).toEqual(ok({ schema: 'public', name: 'a.b.c' }));
    expect(parseRelation('electric_test."issues for ""you"", me.x"')).toEqual(
      ok({ schema: 'electric_test', name: 'issues for "you", me.x' }),
    );
  });

  it('rejects more than one unquoted dot', () => {
    expect(parseRelation('foo.bar.baz')).toEqual(fail('Invalid relation identifier, too many delimiters: foo.bar.baz'));
    expect(parseRelation('a."b".c')).toEqual(fail('Invalid relation identifier, too many delimiters: a."b".c'));
  });

  it('reports the first bad part', () => {
    expect(parseRelation('"foo"."bar')).toEqual(fail('Invalid unquoted identifier contains special characters: "bar'));
    expect(parseRelation('')).toEqual(fail('Invalid zero-length delimited identifier'));
    expect(parseRelation('.items')).toEqual(fail('Invalid zero-length delimited identifier'));
    expect(parseRelation('public.')).toEqual(fail('Invalid zero-length delimited identifier'));
    expect(parseRelation(`public.${'t'.repeat(64)}`)).toEqual(fail('Identifier is too long (max length is 63)'));
  });
});

describe('parseColumnList', () => {
  it('parses the fully quoted form client 1.5 sends', () => {
    expect(parseColumnList('"id","title","Due Date"')).toEqual(ok(['id', 'title', 'Due Date']));
  });

  it('mixes quoted and unquoted names, lower-casing only the unquoted', () => {
    expect(parseColumnList('"PoT@To",PoTaTo')).toEqual(ok(['PoT@To', 'potato']));
  });

  it('splits only on commas outside quotes', () => {
    expect(parseColumnList('"PoTaTo,sunday",foo')).toEqual(ok(['PoTaTo,sunday', 'foo']));
    expect(parseColumnList('"a, ""b"", c","d"')).toEqual(ok(['a, "b", c', 'd']));
    expect(parseColumnList('"fo""o",bar')).toEqual(ok(['fo"o', 'bar']));
  });

  it('keeps order and duplicates (the shape layer decides about those)', () => {
    expect(parseColumnList('b,a,b')).toEqual(ok(['b', 'a', 'b']));
  });

  it('rejects empty entries and spaces around names', () => {
    expect(parseColumnList('foo,')).toEqual(fail('Invalid zero-length delimited identifier'));
    expect(parseColumnList(',foo')).toEqual(fail('Invalid zero-length delimited identifier'));
    expect(parseColumnList('')).toEqual(fail('Invalid zero-length delimited identifier'));
    expect(parseColumnList('id, name')).toEqual(fail('Invalid unquoted identifier contains special characters:  name'));
  });

  it('rejects a quote left open', () => {
    expect(parseColumnList('"id,"name"')).toEqual(fail('Invalid unquoted identifier contains special characters: "id'));
    expect(parseColumnList('a,"b')).toEqual(fail('Invalid unquoted identifier contains special characters: a,"b'));
  });
});

describe('quoteIdent', () => {
  it('always quotes and doubles inner quotes', () => {
    expect(quoteIdent('id')).toBe('"id"');
    expect(quoteIdent('Due Date')).toBe('"Due Date"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteQualifiedName({ schema: 'my.schema', name: 'x"y' })).toBe('"my.schema"."x""y"');
  });

  it('round-trips through parseIdentifier', () => {
    for (const name of ['id', 'MixedCase', 'with space', 'a,b', 'dot.ted', 'q"uote', '""', '🔐']) {
      expect(parseIdentifier(quoteIdent(name))).toEqual(ok(name));
    }
  });
});
