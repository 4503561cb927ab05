/**
 * The mutation applier's SQL as named prepared statements: Postgres parses, rewrites (the RLS
 * policies included) and plans each text once per connection instead of once per mutation. A name
 * is derived from its text, so one text has one name on every connection (pg refuses one name for
 * two texts). Texts come from table definitions and column sets; past a bound (a client inventing
 * ever new column sets) a text runs unnamed instead, so neither this process nor a connection keeps
 * an unbounded number of them.
 */
import crypto from 'node:crypto';
import type pg from 'pg';

const MAX_NAMED = 2_000;
const names = new Map<string, string>();

export function prepared(text: string, values: unknown[] = []): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `fl_mut_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    names.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

/** A builder memoized by key: the SQL of a table and column set is made once. */
export function memo<A extends unknown[]>(key: (...a: A) => string, make: (...a: A) => string): (...a: A) => string {
  const cache = new Map<string, string>();
  return (...a) => {
    const k = key(...a);
    let text = cache.get(k);
    if (text === undefined) {
      text = make(...a);
      if (cache.size < MAX_NAMED) cache.set(k, text);
    }
    return text;
  };
}
