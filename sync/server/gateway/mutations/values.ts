/**
 * Column values of a mutation, by column kind (shared/schema/columns.ts): the checks that give a
 * person a readable reason, how a value is bound as a query parameter, and the one canonical form
 * values are compared and reported in.
 *
 * Canonical form: what the shape stream delivers for the column, as JSON. Postgres computes it, for
 * the server's current value and for the client's values alike (after casting them to the column's
 * type), inside a transaction that has the shape service's display settings (DateStyle ISO,
 * TimeZone UTC, …). So `2026-06-01T08:00:00.000000Z` (the replica's form) and
 * `2026-06-01 08:00:00+00` (the stream's) are the same value, and the form reported back is the
 * stream's: timestamptz as Postgres text, date/uuid/inet/macaddr/text as text, numbers and booleans
 * as JSON numbers and booleans, jsonb as the document, text[] as an array of strings, bigint as a
 * number (as text beyond ±2^53, where a JSON number would lose digits), SQL NULL as null.
 */
import { COLUMN_KINDS, type ColumnDef, type ColumnKind } from '../../../../shared/schema/columns.js';
import { quoteIdent } from '../../shape-service/protocol/identifiers.js';

export { quoteIdent };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Date, time (seconds and fraction optional) and an explicit zone: a timestamptz never depends on a session's zone. */
const TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2}(:?\d{2})?)?)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

const describe = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v === 'object' ? 'an object' : typeof v;
};

const KIND_NAMES: Record<ColumnKind, string> = {
  uuid: 'a UUID',
  text: 'text',
  integer: 'a whole number between -2147483648 and 2147483647',
  bigint: 'a whole number (or its decimal text)',
  double: 'a finite number',
  boolean: 'true or false',
  timestamptz: 'a date and time with a zone, like 2026-06-01T08:00:00Z',
  date: 'a date like 2026-06-01',
  jsonb: 'a JSON value',
  inet: 'an IP address',
  macaddr: 'a MAC address',
  textArray: 'an array of texts',
};

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const hasNul = (s: string) => s.includes('\u0000');

/**
 * Why `value` cannot go into a column of this definition, in words for a person (without the
 * column name), or null when it fits. Postgres has the last word on what only it can judge
 * (an inet's syntax, a CHECK constraint); those errors are mapped to readable reasons too.
 */
export function valueProblem(def: ColumnDef, value: unknown): string | null {
  if (value === undefined) return 'has no value';
  if (value === null) return def.nullable && !def.primaryKey ? null : 'is required and cannot be null';
  const expected = () => `expected ${KIND_NAMES[def.kind]}, got ${describe(value)}`;
  switch (def.kind) {
    case 'uuid':
      return isUuid(value) ? null : expected();
    case 'text':
      if (typeof value !== 'string') return expected();
      if (hasNul(value)) return 'contains a NUL character, which Postgres text cannot hold';
      if (def.values && !def.values.includes(value))
        return `must be one of ${def.values.join(', ')}, got ${describe(value)}`;
      return null;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31
        ? null
        : expected();
    case 'bigint': {
      let n: bigint | null = null;
      if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
      else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) n = BigInt(value);
      return n !== null && n >= INT8_MIN && n <= INT8_MAX ? null : expected();
    }
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? null : expected();
    case 'boolean':
      return typeof value === 'boolean' ? null : expected();
    case 'timestamptz':
      return typeof value === 'string' && TIMESTAMPTZ.test(value) ? null : expected();
    case 'date':
      return typeof value === 'string' && validDate(value) ? null : expected();
    case 'jsonb':
      return null;
    case 'inet':
    case 'macaddr':
      return typeof value === 'string' && value.length <= 64 && !hasNul(value) ? null : expected();
    case 'textArray':
      if (!Array.isArray(value)) return expected();
      if (!value.every((x) => typeof x === 'string'))
        return 'expected an array of texts; null or non-text elements are not allowed';
      return value.some(hasNul) ? 'contains a NUL character, which Postgres text cannot hold' : null;
  }
}

/** A value as a node-postgres parameter; the SQL casts it (`$n::<type>`). Call after valueProblem(). */
export function toParam(def: ColumnDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (def.kind) {
    case 'jsonb':
      return JSON.stringify(value);
    case 'textArray':
      return value as string[];
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}

/** `$n::<type>`: a bound parameter cast to the column's Postgres type. */
export const castParam = (def: ColumnDef, n: number): string => `$${n}::${COLUMN_KINDS[def.kind].pg}`;

/** SQL for the canonical JSON form (see the top of this file) of the typed expression `expr`. */
export function canonicalSql(def: ColumnDef, expr: string): string {
  switch (def.kind) {
    case 'timestamptz':
      // The type's output function under DateStyle ISO / TimeZone UTC, as the stream sends it.
      return `to_jsonb((${expr})::text)`;
    case 'bigint':
      return `(case when (${expr}) between -9007199254740991 and 9007199254740991 then to_jsonb(${expr}) else to_jsonb((${expr})::text) end)`;
    default:
      // to_jsonb uses each type's output function (inet without a /32, numbers as JSON numbers).
      return `to_jsonb(${expr})`;
  }
}

/** JSON with object keys sorted: one text per value, for equality and hashing. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Whether two canonical values are the same value. */
export const sameValue = (a: unknown, b: unknown): boolean => stableJson(a) === stableJson(b);
