/** What the end-to-end tests read from the server as the operator: rows and stored mutation results. */
import type pg from 'pg';

export type Processed = { id: string; status: string; txid: string | null; result: Record<string, unknown> };

/** The stored result per mutation id (the id is the key of app.processed_mutations: one row, or none). */
export async function processedResults(sql: pg.ClientBase, ids: readonly string[]): Promise<Map<string, Processed>> {
  const { rows } = await sql.query<Processed>(
    'select id::text, status, txid::text, result from app.processed_mutations where id = any($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

export async function serverRow(
  sql: pg.ClientBase,
  table: string,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  return (await sql.query(`select * from ${table} where id = $1`, [id])).rows[0] as Record<string, unknown> | undefined;
}
