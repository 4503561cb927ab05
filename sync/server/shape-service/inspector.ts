/**
 * Reads a table's shape-relevant catalog facts (columns, types, primary key) and renders the
 * `electric-schema` header from them. Works for any table in any schema.
 */
import type pg from 'pg';
import type { ColumnInfo, TableInfo } from './types.js';

type CatalogRow = {
  oid: number;
  nspname: string;
  relname: string;
  attname: string;
  attnotnull: boolean;
  atttypmod: number;
  attndims: number;
  typoid: number;
  typname: string;
  typtype: string;
  elemname: string | null;
  elemtype: string | null;
  pkpos: number | null;
  generated: boolean;
};

const CATALOG_SQL = `
  select c.oid::int as oid, n.nspname, c.relname, a.attname, a.attnotnull, a.atttypmod, a.attndims,
         a.attgenerated <> '' as generated, t.oid::int as typoid, t.typname, t.typtype, et.typname as elemname, et.typtype as elemtype,
         (select k.n - 1 from pg_index i, unnest(i.indkey::int2[]) with ordinality as k(att, n)
           where i.indrelid = c.oid and i.indisprimary and k.att = a.attnum)::int as pkpos
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    join pg_type t on t.oid = a.atttypid
    left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
   where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')
   order by a.attnum`;

/** The table's facts, or undefined when no such table exists. */
export async function loadTableInfo(
  client: pg.ClientBase,
  schema: string,
  name: string,
): Promise<TableInfo | undefined> {
  const { rows } = await client.query<CatalogRow>(CATALOG_SQL, [schema, name]);
  if (!rows.length) return undefined;
  const columns: ColumnInfo[] = rows.map((r) => {
    const isArray = r.elemname !== null;
    return {
      name: r.attname,
      typname: isArray ? r.elemname! : r.typname,
      typeOid: r.typoid,
      dims: isArray ? Math.max(r.attndims, 1) : 0,
      typtype: isArray ? r.elemtype! : r.typtype,
      notNull: r.attnotnull,
      ...(r.pkpos !== null ? { pkIndex: r.pkpos } : {}),
      typeMod: r.atttypmod,
      ...(r.generated ? { generated: true } : {}),
    };
  });
  const pk = columns
    .filter((c) => c.pkIndex !== undefined)
    .sort((a, b) => a.pkIndex! - b.pkIndex!)
    .map((c) => c.name);
  const first = rows[0]!;
  return { oid: first.oid, schema: first.nspname, name: first.relname, columns, pk };
}

const TIME_TYPES = new Set(['time', 'timetz', 'timestamp', 'timestamptz']);
const INTERVAL_UNITS: [string, number][] = [
  ['YEAR', 1 << 2],
  ['MONTH', 1 << 1],
  ['DAY', 1 << 3],
  ['HOUR', 1 << 10],
  ['MINUTE', 1 << 11],
  ['SECOND', 1 << 12],
];

/** Type modifiers decoded as Electric reports them (varchar length, numeric precision/scale …). */
function modifiers(c: ColumnInfo): Record<string, string | number> {
  const mod = c.typeMod;
  if (mod > 0 && (c.typname === 'varchar' || c.typname === 'text')) return { max_length: mod - 4 };
  if (mod > 0 && c.typname === 'bpchar') return { length: mod - 4 };
  if (c.typname === 'bit' || c.typname === 'varbit') return { length: mod };
  if (c.typname === 'interval' && mod > -1) {
    const range = (mod >> 16) & 0x7fff;
    const precision = (mod << 16) >> 16;
    const out: Record<string, string | number> = {};
    if (range !== 0x7fff) {
      const units = INTERVAL_UNITS.filter(([, mask]) => (range & mask) > 0).map(([u]) => u);
      if (units.length) out.fields = units.length === 1 ? units[0]! : `${units[0]} TO ${units[units.length - 1]}`;
    }
    if (precision !== -1 && precision !== 0xffff) out.precision = precision;
    return out;
  }
  if (mod > 0 && TIME_TYPES.has(c.typname)) return { precision: mod };
  if (c.typname === 'numeric' && mod > -1) {
    const packed = mod - 4;
    return { precision: (packed >> 16) & 0xffff, scale: packed & 0xffff };
  }
  return {};
}

/** The `electric-schema` header value for the selected columns (all when omitted). */
export function electricSchema(table: TableInfo, selected?: readonly string[]): string {
  const wanted = selected ? new Set(selected) : undefined;
  const out: Record<string, Record<string, unknown>> = {};
  for (const c of table.columns) {
    if (wanted && !wanted.has(c.name)) continue;
    out[c.name] = {
      type: c.typname,
      dims: c.dims,
      ...(c.pkIndex !== undefined ? { pk_index: c.pkIndex } : {}),
      ...(c.notNull ? { not_null: true } : {}),
      ...modifiers(c),
    };
  }
  return JSON.stringify(out);
}
