/**
 * The transactions the mutation applier runs in, and its bookkeeping in them (app.processed_mutations,
 * app.mutation_conflicts; migrations/postgres/0007). Everything runs as role `authenticated` with the
 * caller's claims, so RLS is forced on the tenant tables and the bookkeeping tables alike.
 *
 * Setting up costs one statement: the role, the claims, the shape service's display settings (values
 * are compared and reported in the stream's form, values.ts), one transaction-scoped advisory lock
 * per mutation id to decide (taken in the order given, which callers sort, so two transactions cannot
 * deadlock on them), and the transaction's id. Reading the id assigns it up front, which costs
 * nothing extra: every such transaction writes its bookkeeping anyway, and it is the id the shape
 * stream reports (pgoutput's BEGIN carries the top-level xid, also for rows written in savepoints).
 */
import type pg from 'pg';
import type { ColumnConflict, Mutation, MutationResult } from '../../../../shared/sync/mutations.js';
import type { Claims } from '../../db/as-user.js';
import { DISPLAY_SETTINGS } from '../../shape-service/display-settings.js';
import { prepared } from './statements.js';
import type { Caller } from './validate.js';

const SETTINGS = Object.entries(DISPLAY_SETTINGS);
const SETUP_SQL = `select set_config('role', 'authenticated', true) as role,
  set_config('request.jwt.claims', $1, true) as claims,
  ${SETTINGS.map((_, i) => `set_config($${2 * i + 2}, $${2 * i + 3}, true)`).join(',\n  ')},
  pg_current_xact_id()::xid::text as txid,
  (select count(pg_advisory_xact_lock(hashtextextended(s.id, 0)))
   from (select x.id from unnest($${2 * SETTINGS.length + 2}::text[]) with ordinality as x (id, n) order by x.n) s) as locks`;

/**
 * Begins a transaction as the caller holding the advisory locks of `lockIds` (lower-case, in the
 * order to take them); returns its txid (pg_current_xact_id()::xid).
 */
export async function beginAsCaller(c: pg.ClientBase, claims: Claims, lockIds: readonly string[]): Promise<number> {
  await c.query('begin');
  const { rows } = await c.query<{ txid: string }>(
    prepared(SETUP_SQL, [JSON.stringify(claims), ...SETTINGS.flat(), lockIds]),
  );
  return Number(rows[0]!.txid);
}

/** A taken id, with the stored decision when the caller may read it (RLS: their own, or as an admin). */
export type TakenRow = {
  id: string;
  user_id: string | null;
  organization_id: string | null;
  payload_hash: string | null;
  result: MutationResult | null;
};

/** Which of these ids are decided already, by anyone (call while holding their advisory locks). */
export async function takenIds(c: pg.ClientBase, ids: readonly string[]): Promise<Map<string, TakenRow>> {
  const { rows } = await c.query<TakenRow>(
    prepared(
      `select t.id::text, p.user_id::text, p.organization_id::text, p.payload_hash, p.result
       from app.taken_mutation_ids($1::uuid[]) t (id)
       left join app.processed_mutations p on p.id = t.id`,
      [ids],
    ),
  );
  return new Map(rows.map((r) => [r.id, r]));
}

const STORE_SQL = `with stored as (
  insert into app.processed_mutations (id, client_id, user_id, organization_id, payload_hash, status, result, txid)
  select x.id, $1, $2, $3, x.payload_hash, x.status, x.result::jsonb, x.txid
  from jsonb_to_recordset($4::jsonb) as x (id uuid, payload_hash text, status text, result text, txid bigint)
  returning id
)
insert into app.mutation_conflicts
  (mutation_id, organization_id, user_id, table_name, pk, column_name, base, server, mine, result, resolution, rule)
select x.mutation_id, $3, $2, x.table_name, x.pk::jsonb, x.column_name, x.base::jsonb, x.server::jsonb,
       x.mine::jsonb, x.result::jsonb, x.resolution, x.rule
from jsonb_to_recordset($5::jsonb) as x (mutation_id uuid, table_name text, pk text, column_name text, base text,
                                         server text, mine text, result text, resolution text, rule text)`;

export type Decided = { mutation: Mutation; hash: string; result: MutationResult; conflicts: ColumnConflict[] };

/**
 * Stores decisions (one processed_mutations row each, and their conflicts for the audit trail) in
 * one statement, in the caller's open transaction. JSON values travel as JSON text, so a JSON null
 * is stored as the jsonb null, never as SQL NULL.
 */
export async function storeDecisions(c: pg.ClientBase, caller: Caller, decided: readonly Decided[]): Promise<void> {
  if (decided.length === 0) return;
  const json = (v: unknown) => JSON.stringify(v ?? null);
  const processed = decided.map((d) => ({
    id: d.mutation.id,
    payload_hash: d.hash,
    status: d.result.status,
    result: JSON.stringify(d.result),
    txid: d.result.txid ?? null,
  }));
  const conflicts = decided.flatMap((d) =>
    d.conflicts.map((x) => ({
      mutation_id: d.mutation.id,
      table_name: d.mutation.table,
      pk: json(d.mutation.pk),
      column_name: x.column,
      base: json(x.base),
      server: json(x.server),
      mine: json(x.mine),
      result: json(x.result),
      resolution: x.resolution,
      rule: x.rule ?? null,
    })),
  );
  await c.query(
    prepared(STORE_SQL, [
      caller.clientId,
      caller.userId,
      caller.organizationId,
      JSON.stringify(processed),
      JSON.stringify(conflicts),
    ]),
  );
}
