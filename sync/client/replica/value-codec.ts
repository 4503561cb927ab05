/**
 * Electric message values → replica column values, driven only by the column kinds of
 * shared/schema (never per-table code). Input is what the official client's default parser yields:
 * int2/int4/float → number, int8 → bigint, bool → boolean, json/jsonb → parsed JSON, arrays → arrays,
 * everything else the Postgres text form. Output is what better-sqlite3 binds into the STRICT tables.
 */
import type { Row, Value } from '@electric-sql/client';
import type { ColumnDef, ColumnKind } from '../../../shared/schema/columns.js';
import { publicColumnNames, type TableDef } from '../../../shared/schema/table.js';

export type SqliteValue = string | number | bigint | null;

export class ValueCodecError extends Error {
  readonly code = 'value_codec';
  constructor(
    readonly table: string,
    readonly column: string,
    message: string,
  ) {
    super(`${table}.${column}: ${message}`);
    this.name = 'ValueCodecError';
  }
}

/** A column the server sent that this replica does not have: the app is older than the server. */
export class UnknownColumnError extends Error {
  readonly code = 'unknown_column';
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(
      `${table}.${column}: the server sent a column this replica does not know. ` +
        'Update the app so its replica migrations include it.',
    );
    this.name = 'UnknownColumnError';
  }
}

const PG_TIMESTAMPTZ =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

/**
 * Postgres `timestamptz` text (DateStyle ISO) → `YYYY-MM-DDTHH:MM:SS.ffffffZ`. The fraction is always
 * six digits so the text sorts in time order (the replica indexes and orders by these columns) and
 * keeps Postgres's microseconds. Values outside that form (`infinity`, BC, years > 9999) are kept as sent.
 */
export function pgTimestamptzToIso(text: string): string {
  const m = PG_TIMESTAMPTZ.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac = '', sign, oh, om = '00', os = '00'] = m;
  const micros = frac.padEnd(6, '0');
  if (oh === '00' && om === '00' && os === '00') return `${y}-${mo}-${d}T${h}:${mi}:${s}.${micros}Z`;
  // Electric serves UTC (TimeZone=UTC), so this path is only for other servers: shift to UTC.
  const offsetSeconds = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetSeconds * 1000;
  const iso = new Date(utc).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${micros}Z`;
}

type Encoder = (value: Exclude<Value, null>, fail: (why: string) => never) => SqliteValue;

const asString: Encoder = (v, fail) => (typeof v === 'string' ? v : fail(`expected text, got ${typeof v}`));
const asJsonText: Encoder = (v) => JSON.stringify(v);

const ENCODERS: Record<ColumnKind, Encoder> = {
  uuid: asString,
  text: asString,
  date: asString,
  inet: asString,
  macaddr: asString,
  timestamptz: (v, fail) => pgTimestamptzToIso(asString(v, fail) as string),
  integer: (v, fail) => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'bigint') return v;
    return fail(`expected an integer, got ${typeof v}`);
  },
  // better-sqlite3 binds a bigint as a 64-bit integer, so int8 values never lose precision.
  bigint: (v, fail) =>
    typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))
      ? v
      : fail(`expected an int8, got ${typeof v}`),
  double: (v, fail) => (typeof v === 'number' ? v : fail(`expected a number, got ${typeof v}`)),
  boolean: (v, fail) => (typeof v === 'boolean' ? (v ? 1 : 0) : fail(`expected a boolean, got ${typeof v}`)),
  jsonb: asJsonText,
  textArray: (v, fail) => (Array.isArray(v) ? asJsonText(v, fail) : fail(`expected an array, got ${typeof v}`)),
};

/** Converts one value of `table.column` to its replica form. */
export function encodeValue(table: string, column: string, def: ColumnDef, value: Value): SqliteValue {
  const fail = (why: string): never => {
    throw new ValueCodecError(table, column, why);
  };
  // SQLite has no NaN (it would store NULL): say so for a NOT NULL column rather than corrupt it.
  const isNaN = typeof value === 'number' && Number.isNaN(value);
  if (value === null || isNaN) {
    if (def.nullable && !def.primaryKey) return null;
    // A JSON `null` document in a NOT NULL jsonb column parses to null; keep it as the JSON text.
    if (def.kind === 'jsonb' && value === null) return 'null';
    return fail(isNaN ? 'NaN cannot be stored in the replica' : 'null in a NOT NULL column');
  }
  return ENCODERS[def.kind](value, fail);
}

const replicaColumnSets = new WeakMap<TableDef, ReadonlySet<string>>();
/** The columns the replica holds for `table` (secret ones never), computed once per table. */
function replicaColumns(table: TableDef): ReadonlySet<string> {
  let set = replicaColumnSets.get(table);
  if (!set) replicaColumnSets.set(table, (set = new Set(publicColumnNames(table))));
  return set;
}

export type EncodedRow = { columns: string[]; values: SqliteValue[] };

/**
 * Encodes the columns present in `row` (all of them for an insert, the key plus the changed ones for
 * an update), in the row's order. Refuses columns the replica does not hold.
 */
export function encodeRow(table: TableDef, row: Row): EncodedRow {
  const known = replicaColumns(table);
  const columns: string[] = [];
  const values: SqliteValue[] = [];
  for (const [column, value] of Object.entries(row)) {
    const def = table.columns[column];
    if (!def || !known.has(column)) throw new UnknownColumnError(table.name, column);
    columns.push(column);
    values.push(encodeValue(table.name, column, def, value));
  }
  return { columns, values };
}
