/**
 * Decides which row images satisfy which shapes' where-clauses by asking Postgres itself, so the
 * live tail filters with exactly the semantics the snapshot used. One query per table per
 * transaction evaluates every where-clause on every row image: rows travel as one jsonb
 * parameter and are rebuilt into the table's row type by its own input functions.
 */
import type pg from 'pg';
import { renumberParams } from '../where/validate-where.js';
import type { TableInfo, TextRow } from '../types.js';

export type WhereProbe = { where: string; params: readonly string[] };

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** json/jsonb text must travel as JSON so the rebuilt value is the document, not a string of it. */
function toDocument(table: TableInfo, row: TextRow): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const c of table.columns) {
    const v = row[c.name];
    if (v === undefined) continue;
    doc[c.name] = v !== null && c.dims === 0 && (c.typname === 'json' || c.typname === 'jsonb') ? JSON.parse(v) : v;
  }
  return doc;
}

/** result[p][r]: does row r satisfy probe p (NULL counts as no). */
export async function evaluateWheres(
  client: pg.ClientBase,
  table: TableInfo,
  probes: readonly WhereProbe[],
  rows: readonly TextRow[],
): Promise<boolean[][]> {
  if (!probes.length || !rows.length) return probes.map(() => rows.map(() => true));
  const params: string[] = [];
  const selects = probes.map((p, i) => {
    const where = renumberParams(p.where, params.length);
    params.push(...p.params);
    // Each clause on its own lines inside parentheses: a trailing comment cannot reach past it.
    return `((\n${where}\n) is true) as m${i}`;
  });
  const rowsParam = `$${params.length + 1}`;
  const sql =
    `select ${selects.join(', ')}\n` +
    `from jsonb_array_elements(${rowsParam}::jsonb) with ordinality as e(__electric_doc, __electric_n),\n` +
    `     jsonb_populate_record(null::${ident(table.schema)}.${ident(table.name)}, e.__electric_doc)\n` +
    `order by e.__electric_n`;
  const { rows: out } = await client.query<Record<string, boolean>>(sql, [
    ...params,
    JSON.stringify(rows.map((r) => toDocument(table, r))),
  ]);
  return probes.map((_, i) => out.map((r) => r[`m${i}`] === true));
}
