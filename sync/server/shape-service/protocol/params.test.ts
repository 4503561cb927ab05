import { describe, expect, it } from 'vitest';
import { BEFORE_ALL, NOW } from './offset.js';
import type { ShapeRequest } from './params.js';
import { parseShapeRequest } from './params.js';

/** Parses a raw query string the way the HTTP layer will hand it over. */
const parse = (query: string) => parseShapeRequest(new URLSearchParams(query));

const accepted = (query: string): ShapeRequest => {
  const result = parse(query);
  if (!result.ok) throw new Error(`expected ${query} to be accepted, got ${JSON.stringify(result.errors)}`);
  return result.value;
};

const rejected = (query: string) => {
  const result = parse(query);
  if (result.ok) throw new Error(`expected ${query} to be rejected`);
  return result.errors;
};

describe('parseShapeRequest: a typical client request', () => {
  it('reads the initial request with defaults filled in', () => {
    expect(accepted('log=full&offset=-1&table=todos')).toEqual({
      table: 'todos',
      relation: { schema: 'public', name: 'todos' },
      params: [],
      replica: 'default',
      log: 'full',
      offset: BEFORE_ALL,
      live: false,
      liveSse: false,
    });
  });

  it('reads a live request with every shape option', () => {
    const request = accepted(
      'columns=%22id%22%2C%22Title%22&cursor=12345&handle=H-1&live=true&log=changes_only&offset=25823912_0' +
        '&params%5B1%5D=open&params%5B2%5D=a%2Cb&replica=full&table=app.Jobs&where=status+%3D+%241+and+x+%3D+%242',
    );
    expect(request).toEqual({
      table: 'app.Jobs',
      relation: { schema: 'app', name: 'jobs' },
      where: 'status = $1 and x = $2',
      params: ['open', 'a,b'],
      columns: '"id","Title"',
      columnNames: ['id', 'Title'],
      replica: 'full',
      log: 'changes_only',
      offset: { tx: 25823912n, op: 0 },
      handle: 'H-1',
      live: true,
      liveSse: false,
      cursor: '12345',
    });
  });

  it('ignores parameters it does not know (the client sends several)', () => {
    const request = accepted(
      'cache-buster=abc&expired_handle=OLD&offset=-1&table=todos&subset__where_expr=%7B%7D&secret=s&whatever[x]=1',
    );
    expect(request.table).toBe('todos');
  });

  it('accepts offset=now without a handle', () => {
    const request = accepted('offset=now&table=todos&handle=H');
    expect(request.offset).toBe(NOW);
    expect(request.handle).toBeUndefined();
  });

  it('drops the handle on offset=-1, as Electric does', () => {
    expect(accepted('offset=-1&table=todos&handle=H').handle).toBeUndefined();
  });

  it('keeps an empty cursor as sent (the client sends one after a resume)', () => {
    expect(accepted('cursor=&handle=H&live=true&offset=0_inf&table=t').cursor).toBe('');
    expect(accepted('handle=H&live=true&offset=0_inf&table=t').cursor).toBeUndefined();
  });
});

describe('parseShapeRequest: required fields and offsets', () => {
  it('requires offset first, then table', () => {
    expect(rejected('table=todos')).toEqual({ offset: ["can't be blank"] });
    expect(rejected('offset=-1')).toEqual({ table: ["can't be blank"] });
    expect(rejected('offset=-1&table=')).toEqual({ table: ["can't be blank"] });
    expect(rejected('offset=-1&table=%20%20')).toEqual({ table: ["can't be blank"] });
    // Electric stops at the offset: the missing table is only reported once the offset is fine.
    expect(rejected('')).toEqual({ offset: ["can't be blank"] });
  });

  it('rejects malformed offsets', () => {
    for (const offset of ['10', '1_2_3', '1_2%20', '%2B1_2', '-2', 'latest', '-1_0']) {
      expect(rejected(`offset=${offset}&table=t&handle=H`)).toEqual({ offset: ['has invalid format'] });
    }
  });

  it('requires a handle once past -1', () => {
    expect(rejected('offset=0_0&table=t')).toEqual({ handle: ["can't be blank when offset != -1"] });
    expect(rejected('offset=0_0&table=t&handle=')).toEqual({ handle: ["can't be blank when offset != -1"] });
    expect(accepted('offset=0_0&table=t&handle=H').handle).toBe('H');
  });
});

describe('parseShapeRequest: live and live_sse', () => {
  it('treats any value but the literal false as true', () => {
    const base = 'handle=H&offset=0_inf&table=t';
    expect(accepted(base).live).toBe(false);
    expect(accepted(`${base}&live=false`).live).toBe(false);
    for (const value of ['true', '', '0', 'no', 'False']) {
      expect(accepted(`${base}&live=${value}`).live, value).toBe(true);
    }
    expect(accepted(`${base}&live`).live).toBe(true);
  });

  it('rejects live with offset -1 or now', () => {
    expect(rejected('live=true&offset=-1&table=t')).toEqual({ live: ["can't be true when offset == -1"] });
    expect(rejected('live&offset=-1&table=t')).toEqual({ live: ["can't be true when offset == -1"] });
    expect(rejected('live=true&offset=now&table=t')).toEqual({ live: ["can't be true when offset is 'now'"] });
  });

  it('requires live for live_sse', () => {
    expect(rejected('handle=H&live_sse=true&offset=0_inf&table=t')).toEqual({
      live_sse: ["can't be true unless live is also true"],
    });
    expect(accepted('handle=H&live=true&live_sse=true&offset=0_inf&table=t').liveSse).toBe(true);
    expect(accepted('handle=H&live=true&live_sse=false&offset=0_inf&table=t').liveSse).toBe(false);
  });

  it('falls back to experimental_live_sse only when live_sse is absent', () => {
    const base = 'handle=H&live=true&offset=0_inf&table=t';
    expect(accepted(`${base}&experimental_live_sse=true`).liveSse).toBe(true);
    expect(accepted(`${base}&experimental_live_sse=1`).liveSse).toBe(true);
    expect(accepted(`${base}&experimental_live_sse=false`).liveSse).toBe(false);
    expect(accepted(`${base}&experimental_live_sse=`).liveSse).toBe(false);
    expect(accepted(`${base}&experimental_live_sse=true&live_sse=false`).liveSse).toBe(false);
    // The client 1.5 form: both set.
    expect(accepted(`${base}&experimental_live_sse=true&live_sse=true`).liveSse).toBe(true);
  });

  it('casts experimental_live_sse strictly, as Electric does', () => {
    expect(rejected('handle=H&live=true&offset=0_inf&table=t&experimental_live_sse=yes')).toEqual({
      live_sse: ['is invalid'],
    });
  });
});

describe('parseShapeRequest: params', () => {
  const withWhere = 'offset=-1&table=t&where=a+%3D+%241';

  it('orders params by number, not by key text', () => {
    const keys = Array.from({ length: 11 }, (_, i) => `params%5B${11 - i}%5D=v${11 - i}`).join('&');
    expect(accepted(`${withWhere}&${keys}`).params).toEqual(Array.from({ length: 11 }, (_, i) => `v${i + 1}`));
  });

  it('reads the literal params[n] keys URLSearchParams exposes, encoded or not', () => {
    expect(accepted(`${withWhere}&params[1]=x`).params).toEqual(['x']);
    expect(accepted(`${withWhere}&params%5B1%5D=x`).params).toEqual(['x']);
  });

  it('rejects params[2] without params[1]', () => {
    expect(rejected(`${withWhere}&params[2]=x`)).toEqual({
      params: ['Parameters must be numbered sequentially, starting from 1'],
    });
  });

  it('rejects gaps, zero and duplicate numbers', () => {
    const sequential = { params: ['Parameters must be numbered sequentially, starting from 1'] };
    expect(rejected(`${withWhere}&params[1]=a&params[3]=c`)).toEqual(sequential);
    expect(rejected(`${withWhere}&params[0]=a&params[1]=b`)).toEqual(sequential);
    expect(rejected(`${withWhere}&params[1]=a&params[01]=b`)).toEqual(sequential);
  });

  it('rejects non-numeric keys', () => {
    for (const key of ['a', '1.0', '%201', '1x']) {
      expect(rejected(`${withWhere}&params[${key}]=v`)).toEqual({
        params: ['Parameters can only use numbers as keys'],
      });
    }
  });

  it('lets the last of repeated keys win', () => {
    expect(accepted(`${withWhere}&params[1]=a&params[1]=b`).params).toEqual(['b']);
    expect(accepted('offset=-1&table=first&table=second').table).toBe('second');
  });

  it('accepts only the params[n] map form: JSON, lists and nesting are invalid', () => {
    for (const form of ['params=%7B%221%22%3A%22a%22%7D', 'params=a', 'params[]=a', 'params[1][x]=a']) {
      expect(rejected(`${withWhere}&${form}`), form).toEqual({ params: ['is invalid'] });
    }
    // A blank params counts as absent.
    expect(accepted(`${withWhere}&params=`).params).toEqual([]);
  });

  it('ignores params without a where clause, as Electric does', () => {
    expect(accepted('offset=-1&table=t&params[2]=x').params).toEqual([]);
  });

  it('checks params only after the table', () => {
    expect(rejected('offset=-1&table=a.b.c&where=x&params[2]=y')).toEqual({
      table: ['Invalid relation identifier, too many delimiters: a.b.c'],
    });
  });
});

describe('parseShapeRequest: table, columns, replica, log', () => {
  it('reports identifier errors on table', () => {
    expect(rejected('offset=-1&table=a.b.c')).toEqual({
      table: ['Invalid relation identifier, too many delimiters: a.b.c'],
    });
    expect(rejected(`offset=-1&table=${'x'.repeat(64)}`)).toEqual({
      table: ['Identifier is too long (max length is 63)'],
    });
  });

  it('keeps the raw table and gives the parsed relation', () => {
    const request = accepted('offset=-1&table=%22My+Schema%22.%22Odd%2C+%22%22name%22%22%22');
    expect(request.table).toBe('"My Schema"."Odd, ""name"""');
    expect(request.relation).toEqual({ schema: 'My Schema', name: 'Odd, "name"' });
  });

  it('reports column syntax errors', () => {
    expect(rejected('offset=-1&table=t&columns=id%2C')).toEqual({
      columns: ['Invalid zero-length delimited identifier'],
    });
    expect(accepted('offset=-1&table=t&columns=').columns).toBeUndefined();
  });

  it('validates the enums', () => {
    expect(rejected('offset=-1&table=t&replica=partial')).toEqual({ replica: ['is invalid'] });
    expect(rejected('offset=-1&table=t&log=FULL')).toEqual({ log: ['is invalid'] });
    expect(accepted('offset=-1&table=t&replica=').replica).toBe('default');
  });

  it('accumulates type errors across fields before looking at the offset', () => {
    expect(rejected('table=t&replica=x&log=y&columns=a%2C&params=z')).toEqual({
      replica: ['is invalid'],
      log: ['is invalid'],
      columns: ['Invalid zero-length delimited identifier'],
      params: ['is invalid'],
      offset: ["can't be blank"],
    });
  });

  it('rejects nested forms of plain fields', () => {
    expect(rejected('offset=-1&table[x]=t')).toEqual({ table: ['is invalid'] });
    expect(rejected('offset[a]=-1&table=t')).toEqual({ offset: ['is invalid'] });
  });

  it('keeps the where text as sent, and a blank one counts as none', () => {
    expect(accepted('offset=-1&table=t&where=+x+%3D+1+').where).toBe(' x = 1 ');
    expect(accepted('offset=-1&table=t&where=++').where).toBeUndefined();
  });
});
