/**
 * Applies uploaded mutations in Postgres under RLS as the caller (DESIGN.md "Local edits and
 * conflict-aware upload"). Each mutation — or each `tx` group — runs in its own transaction as role
 * `authenticated` with the caller's claims (asUser), and its result is stored in
 * app.processed_mutations in that same transaction, so a retry gets the stored result and changes
 * nothing. Rejections are stored too (one id, one outcome), except `id_reused`, which is about an
 * id stored for something else.
 *
 * Decisions (see also values.ts for the comparison form):
 * - update: the row is locked (SELECT … FOR UPDATE) and each changed column is compared three ways —
 *   base (what the edit was made on), server (now), mine (the edit). Server unchanged → mine applies;
 *   mine equals server → nothing to do; both changed → shared/sync/conflict-policy.ts decides, and a
 *   `manual` column keeps the server's value and makes the status `conflict`. Each such column is
 *   recorded in app.mutation_conflicts. An update of a soft-deleted row is `not_found` (deleted on
 *   the server) unless it sets deleted_at itself (a restore).
 * - delete: of a row that is not there (deleted meanwhile, or never visible to the caller) is
 *   `applied` with no txid and an informational reason `not_found`: the user wanted it gone, it is
 *   gone, and nobody needs to decide anything; the answer is the same for another organization's
 *   id, so it reveals nothing. If the row changed after the edit's base (row_version higher and a
 *   base column differs, or no base columns were sent; updated_at/row_version in the base are not
 *   compared), the delete is not made and the status is `conflict`: a technician's delete never
 *   silently erases a dispatcher's edit (the client should send the synced row as base.values).
 *   Tables with deleted_at are soft-deleted (deleted_at = now(), history kept, the shape stream
 *   delivers it as an update); the others are deleted. Soft-deleting takes the delete right, also
 *   through an update of deleted_at (validate.ts), since RLS sees only an UPDATE.
 * - tx group: one transaction; the first rejection rolls the group back and every other mutation of
 *   it is `dependency_rejected` naming that mutation. A later mutation of the request that refers
 *   (by key, or by any uuid column) to a row whose insert was rejected is `dependency_rejected` too.
 * - txid: pg_current_xact_id()::xid, only on results whose mutation wrote a row.
 * - Errors a mutation causes by its content (RLS refusal, unique/foreign-key/check violations, bad
 *   values) reject that mutation only; anything else propagates, its transaction rolls back
 *   without storing a result, and the request fails (the client retries; idempotency covers what
 *   earlier transactions applied).
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import { primaryKey, type TableDef } from '../../../../shared/schema/table.js';
import { decideConflict } from '../../../../shared/sync/conflict-policy.js';
import type { ColumnConflict, Mutation, MutationResult } from '../../../../shared/sync/mutations.js';
import { asUser, userClaims } from '../../db/as-user.js';
import { DISPLAY_SETTINGS } from '../../shape-service/display-settings.js';
import { pgErrorCode, rejectionForPgError } from './pg-errors.js';
import {
  MutationRejected,
  planMutation,
  referencedIds,
  type Caller,
  type Entry,
  type Plan,
  type Rejection,
} from './validate.js';
import { canonicalSql, castParam, quoteIdent as q, sameValue, stableJson, toParam } from './values.js';

/** A rejection's reason, or (on `conflict` and some `applied` results) an explanation. */
type Reason = { code: string; message: string };

type Outcome = {
  status: MutationResult['status'];
  conflicts?: ColumnConflict[];
  reason?: Reason;
  /** Whether a row was written (so the result carries the transaction's txid). */
  wrote: boolean;
};

const rejected = (r: Rejection): Outcome => ({ status: 'rejected', reason: r, wrote: false });

/** What the payload hash covers: everything the client sent for the mutation except its id. */
export function payloadHash(m: Mutation): string {
  const payload = {
    table: m.table,
    op: m.op,
    pk: m.pk,
    values: m.values ?? null,
    base: m.base ?? null,
    tx: m.tx ?? null,
  };
  return crypto.createHash('sha256').update(stableJson(payload)).digest('hex');
}

/** Consecutive mutations sharing a `tx` form one group; every other mutation is a group of its own. */
export function groupMutations(mutations: readonly Mutation[]): Mutation[][] {
  const groups: Mutation[][] = [];
  for (const m of mutations) {
    const last = groups.at(-1);
    if (m.tx !== undefined && last?.[0]?.tx === m.tx) last.push(m);
    else groups.push([m]);
  }
  return groups;
}

type RejectedInsert = { mutationId: string; table: string; code: string };

/** Applies a request's mutations in order; one result per mutation. Throws on unexpected errors. */
export async function processMutations(
  client: pg.ClientBase,
  caller: Caller,
  mutations: readonly Mutation[],
): Promise<MutationResult[]> {
  const claims = userClaims(caller.userId, caller.organizationId);
  const rejectedInserts = new Map<string, RejectedInsert>();
  const results: MutationResult[] = [];
  for (const group of groupMutations(mutations)) {
    const out = await asUser(client, claims, (c) => runGroup(c, caller, group, rejectedInserts));
    group.forEach((m, i) => {
      const r = out[i]!;
      results.push(r);
      // already_exists and id_reused say nothing about whether the row exists: no dependency on those.
      const code = r.reason?.code;
      if (r.status === 'rejected' && m.op === 'insert' && code !== 'already_exists' && code !== 'id_reused') {
        for (const id of Object.values(m.pk)) {
          if (typeof id === 'string') {
            rejectedInserts.set(id.toLowerCase(), { mutationId: m.id, table: m.table, code: code ?? '' });
          }
        }
      }
    });
  }
  return results;
}

/** A taken id, with the stored decision when the caller may read it (RLS: their own, or as an admin). */
type TakenRow = {
  id: string;
  user_id: string | null;
  organization_id: string | null;
  payload_hash: string | null;
  result: MutationResult | null;
};

async function runGroup(
  c: pg.ClientBase,
  caller: Caller,
  group: Mutation[],
  rejectedInserts: Map<string, RejectedInsert>,
): Promise<MutationResult[]> {
  // Values are compared and reported in the form the shape stream renders them (values.ts).
  const keys = Object.keys(DISPLAY_SETTINGS);
  const ids = group.map((m) => m.id.toLowerCase());
  const lockOrder = [...ids].sort();
  // One decision per mutation id at a time, whichever gateway copy or request it arrives through:
  // a transaction-scoped advisory lock per id (taken in id order, so two groups cannot deadlock).
  await c.query(
    `select ${keys.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')},
            pg_advisory_xact_lock(hashtextextended($${2 * keys.length + 1}, 0))`,
    [...keys.flatMap((k) => [k, DISPLAY_SETTINGS[k]!]), lockOrder[0]],
  );
  for (const id of lockOrder.slice(1)) await c.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [id]);
  const { rows: taken } = await c.query<TakenRow>(
    `select t.id::text, p.user_id::text, p.organization_id::text, p.payload_hash, p.result
     from app.taken_mutation_ids($1::uuid[]) t (id)
     left join app.processed_mutations p on p.id = t.id`,
    [ids],
  );
  const takenById = new Map(taken.map((r) => [r.id, r]));

  const results: (MutationResult | undefined)[] = group.map(() => undefined);
  const hashes = group.map(payloadHash);
  let reusedId: string | undefined;
  group.forEach((m, i) => {
    const id = ids[i]!;
    const s = takenById.get(id);
    if (!s) return;
    if (s.user_id === caller.userId && s.organization_id === caller.organizationId && s.payload_hash === hashes[i]) {
      results[i] = s.result!; // a replay: the stored answer, nothing applied again
      return;
    }
    reusedId ??= m.id;
    results[i] = {
      id: m.id,
      status: 'rejected',
      reason: {
        code: 'id_reused',
        message: `Mutation id ${m.id} was already used for a different change; a new change needs a new id.`,
      },
    };
  });
  const pending = group.map((_, i) => i).filter((i) => results[i] === undefined);
  if (pending.length === 0) return results as MutationResult[];

  const isTx = group.length > 1 || group[0]!.tx !== undefined;
  const outcomes = new Map<number, Outcome>();
  await c.query('savepoint mutation_group');
  let failure: { id: string; reason: Reason } | undefined = reusedId
    ? { id: reusedId, reason: { code: 'id_reused', message: 'its id was already used for a different change' } }
    : undefined;
  if (!failure) {
    for (const i of pending) {
      const m = group[i]!;
      const outcome = dependencyRejection(m, rejectedInserts) ?? (await applyOne(c, caller, m));
      outcomes.set(i, outcome);
      if (isTx && outcome.status === 'rejected') {
        failure = { id: m.id, reason: outcome.reason! };
        break;
      }
    }
  }
  if (isTx && failure) {
    await c.query('rollback to savepoint mutation_group');
    const f = failure;
    for (const i of pending) {
      if (group[i]!.id === f.id) continue;
      outcomes.set(
        i,
        rejected({
          code: 'dependency_rejected',
          message: `Part of the same change as mutation ${f.id}, which was rejected (${f.reason.code}: ${f.reason.message.replace(/\.$/, '')}); nothing of it was applied.`,
        }),
      );
    }
  }

  let txid: number | undefined;
  if ([...outcomes.values()].some((o) => o.wrote)) {
    const { rows } = await c.query<{ txid: string }>('select pg_current_xact_id()::xid::text as txid');
    txid = Number(rows[0]!.txid);
  }
  for (const i of pending) {
    const m = group[i]!;
    const o = outcomes.get(i)!;
    const result: MutationResult = {
      id: m.id,
      status: o.status,
      ...(o.wrote && txid !== undefined ? { txid } : {}),
      ...(o.conflicts?.length ? { conflicts: o.conflicts } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
    };
    results[i] = result;
    await c.query(
      `insert into app.processed_mutations (id, client_id, user_id, organization_id, payload_hash, status, result, txid)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [
        m.id,
        caller.clientId,
        caller.userId,
        caller.organizationId,
        hashes[i],
        result.status,
        JSON.stringify(result),
        result.txid ?? null,
      ],
    );
    for (const conflict of o.conflicts ?? []) {
      await c.query(
        `insert into app.mutation_conflicts
           (mutation_id, organization_id, user_id, table_name, pk, column_name, base, server, mine, result, resolution, rule)
         values ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12)`,
        [
          m.id,
          caller.organizationId,
          caller.userId,
          m.table,
          JSON.stringify(m.pk),
          conflict.column,
          JSON.stringify(conflict.base ?? null),
          JSON.stringify(conflict.server ?? null),
          JSON.stringify(conflict.mine ?? null),
          JSON.stringify(conflict.result ?? null),
          conflict.resolution,
          conflict.rule ?? null,
        ],
      );
    }
  }
  return results as MutationResult[];
}

/** A mutation that refers to a row whose insert was rejected earlier in the request cannot apply. */
function dependencyRejection(m: Mutation, rejectedInserts: Map<string, RejectedInsert>): Outcome | undefined {
  for (const id of referencedIds(m)) {
    const r = rejectedInserts.get(id);
    if (r) {
      return rejected({
        code: 'dependency_rejected',
        message: `Refers to ${r.table} row ${id}, whose insert (mutation ${r.mutationId}) was rejected (${r.code}).`,
      });
    }
  }
  return undefined;
}

async function applyOne(c: pg.ClientBase, caller: Caller, m: Mutation): Promise<Outcome> {
  let plan: Plan;
  try {
    plan = planMutation(m, caller);
  } catch (e) {
    if (e instanceof MutationRejected) return rejected({ code: e.code, message: e.message });
    throw e;
  }
  await c.query('savepoint mutation_one');
  try {
    const outcome =
      plan.op === 'insert'
        ? await applyInsert(c, plan)
        : plan.op === 'update'
          ? await applyUpdate(c, plan, caller)
          : await applyDelete(c, plan);
    await c.query('release savepoint mutation_one');
    return outcome;
  } catch (e) {
    const reason = e instanceof MutationRejected ? { code: e.code, message: e.message } : rejectionForPgError(e, plan);
    if (!reason) throw e;
    await c.query('rollback to savepoint mutation_one');
    return rejected(reason);
  }
}

const table = (t: TableDef) => `public.${q(t.name)}`;

/** `"id" = $1::uuid and …` for the row's key, and its parameters, numbered from `from`. */
function keyMatch(t: TableDef, pk: Record<string, string>, from = 1): { sql: string; params: unknown[] } {
  const cols = primaryKey(t);
  return {
    sql: cols.map((col, i) => `${q(col)} = ${castParam(t.columns[col]!, from + i)}`).join(' and '),
    params: cols.map((col) => pk[col]),
  };
}

/**
 * The canonical form of each entry's value, computed by Postgres after casting it to the column's
 * type. A value Postgres refuses (an inet that is not one) is a rejection naming the column.
 */
async function canonicalValues(c: pg.ClientBase, t: TableDef, entries: Entry[]): Promise<unknown[]> {
  if (entries.length === 0) return [];
  const run = async (list: Entry[]) => {
    const sql = `select ${list.map((e, i) => `${canonicalSql(e.def, castParam(e.def, i + 1))} as c${i}`).join(', ')}`;
    await c.query('savepoint mutation_values');
    try {
      const { rows } = await c.query<Record<string, unknown>>(
        sql,
        list.map((e) => toParam(e.def, e.value)),
      );
      await c.query('release savepoint mutation_values');
      return list.map((_, i) => rows[0]![`c${i}`]);
    } catch (e) {
      await c.query('rollback to savepoint mutation_values');
      throw e;
    }
  };
  try {
    return await run(entries);
  } catch (e) {
    if (!pgErrorCode(e)?.startsWith('22')) throw e;
    for (const entry of entries) {
      try {
        await run([entry]);
      } catch (one) {
        if (!pgErrorCode(one)?.startsWith('22')) throw one;
        const where = entry.source === 'base' ? ' (base)' : '';
        throw new MutationRejected('invalid', `${t.name}.${entry.column}${where}: ${(one as Error).message}.`);
      }
    }
    throw e;
  }
}

async function applyInsert(c: pg.ClientBase, plan: Extract<Plan, { op: 'insert' }>): Promise<Outcome> {
  await canonicalValues(c, plan.table, plan.values);
  const cols = plan.values.map((v) => q(v.column)).join(', ');
  const params = plan.values.map((v, i) => castParam(v.def, i + 1)).join(', ');
  await c.query(
    `insert into ${table(plan.table)} (${cols}) values (${params})`,
    plan.values.map((v) => toParam(v.def, v.value)),
  );
  return { status: 'applied', wrote: true };
}

/**
 * Locks the row and reads the canonical form of `entries`' columns, its row_version and whether it
 * is soft-deleted. Undefined when the caller cannot see it; MutationRejected `forbidden` when they
 * can see it but not write it (RLS lets FOR UPDATE lock only rows the caller may update).
 */
async function lockRow(
  c: pg.ClientBase,
  t: TableDef,
  pk: Record<string, string>,
  entries: Entry[],
): Promise<{ values: unknown[]; version: number; deleted: boolean } | undefined> {
  const key = keyMatch(t, pk);
  const cols = entries.map((e, i) => `${canonicalSql(e.def, q(e.column))} as s${i}`);
  const { rows } = await c.query<Record<string, unknown>>(
    `select ${[...cols, 'row_version::text as row_version', `${t.softDelete ? 'deleted_at is not null' : 'false'} as deleted`].join(', ')}
     from ${table(t)} where ${key.sql} for update`,
    key.params,
  );
  const row = rows[0];
  if (!row) {
    const visible = await c.query(`select 1 from ${table(t)} where ${key.sql}`, key.params);
    if (visible.rowCount) {
      throw new MutationRejected('forbidden', `Your role may not change this ${t.name} row.`);
    }
    return undefined;
  }
  return {
    values: entries.map((_, i) => row[`s${i}`]),
    version: Number(row.row_version),
    deleted: row.deleted === true,
  };
}

const notFoundMessage = (t: TableDef, pk: Record<string, string>) =>
  `There is no ${t.name} row ${Object.values(pk).join('/')} in your organization: it was deleted on the server, or never reached it.`;

async function applyUpdate(c: pg.ClientBase, plan: Extract<Plan, { op: 'update' }>, caller: Caller): Promise<Outcome> {
  const t = plan.table;
  const baseEntries = plan.values.map((v) => plan.base.find((b) => b.column === v.column)!);
  const both = await canonicalValues(c, t, [...plan.values, ...baseEntries]);
  const mine = both.slice(0, plan.values.length);
  const base = both.slice(plan.values.length);
  const row = await lockRow(c, t, plan.pk, plan.values);
  if (!row) throw new MutationRejected('not_found', notFoundMessage(t, plan.pk));
  if (row.deleted && !plan.values.some((v) => v.column === 'deleted_at')) {
    throw new MutationRejected(
      'not_found',
      `This ${t.name} row was deleted on the server after your edit; your change was not applied.`,
    );
  }

  const writes: { entry: Entry; value: unknown }[] = [];
  const conflicts: ColumnConflict[] = [];
  plan.values.forEach((entry, i) => {
    const [b, s, m] = [base[i], row.values[i], mine[i]];
    if (sameValue(m, s)) return; // already so on the server
    if (sameValue(s, b)) return void writes.push({ entry, value: entry.value }); // only I changed it
    const d = decideConflict(t.name, entry.column, { base: b, server: s, mine: m, role: caller.role });
    conflicts.push({
      column: entry.column,
      base: b,
      server: s,
      mine: m,
      resolution: d.resolution,
      result: d.resolution === 'manual' ? s : d.result,
      ...(d.rule ? { rule: d.rule } : {}),
    });
    if (d.resolution === 'client' || (d.resolution === 'merged' && !sameValue(d.result, s))) {
      writes.push({ entry, value: d.resolution === 'client' ? entry.value : d.result });
    }
  });

  if (writes.length) {
    const key = keyMatch(t, plan.pk, writes.length + 1);
    const sets = writes.map((w, i) => `${q(w.entry.column)} = ${castParam(w.entry.def, i + 1)}`).join(', ');
    const res = await c.query(`update ${table(t)} set ${sets} where ${key.sql}`, [
      ...writes.map((w) => toParam(w.entry.def, w.value)),
      ...key.params,
    ]);
    if (!res.rowCount) throw new MutationRejected('forbidden', `Your role may not change this ${t.name} row.`);
  }
  const manual = conflicts.filter((x) => x.resolution === 'manual').map((x) => x.column);
  return {
    status: manual.length ? 'conflict' : 'applied',
    wrote: writes.length > 0,
    conflicts,
    ...(manual.length
      ? {
          reason: {
            code: 'conflict',
            message: `${manual.join(', ')} also changed on the server; the server's value was kept${
              writes.length ? ' and your other changes were applied' : ''
            }. Choose which to keep.`,
          },
        }
      : {}),
  } as Outcome;
}

async function applyDelete(c: pg.ClientBase, plan: Extract<Plan, { op: 'delete' }>): Promise<Outcome> {
  const t = plan.table;
  // What the server maintains itself (updated_at, row_version) changes with every write: compare the rest.
  const compared = plan.base.filter((e) => !e.def.serverOwned);
  const base = await canonicalValues(c, t, compared);
  const row = await lockRow(c, t, plan.pk, compared);
  if (!row || row.deleted) {
    return {
      status: 'applied',
      wrote: false,
      reason: {
        code: 'not_found',
        message: `This ${t.name} row is already deleted on the server (or never reached it); nothing to delete.`,
      },
    };
  }
  if (row.version > plan.version) {
    const conflicts: ColumnConflict[] = compared
      .map((e, i) => ({ e, b: base[i], s: row.values[i] }))
      .filter(({ b, s }) => !sameValue(b, s))
      .map(({ e, b, s }) => ({
        column: e.column,
        base: b,
        server: s,
        mine: null,
        resolution: 'manual' as const,
        result: s,
      }));
    if (compared.length === 0) {
      conflicts.push({
        column: 'row_version',
        base: plan.version,
        server: row.version,
        mine: null,
        resolution: 'manual',
        result: row.version,
      });
    }
    if (conflicts.length) {
      const what = compared.length ? conflicts.map((x) => x.column).join(', ') : 'it';
      return {
        status: 'conflict',
        wrote: false,
        conflicts,
        reason: {
          code: 'conflict',
          message: `Someone changed ${what} on the server after your delete was made (version ${plan.version} → ${row.version}); the ${t.name} row was not deleted. Delete it again to confirm, or keep it.`,
        },
      };
    }
  }
  const key = keyMatch(t, plan.pk);
  const res = t.softDelete
    ? await c.query(`update ${table(t)} set deleted_at = now() where ${key.sql}`, key.params)
    : await c.query(`delete from ${table(t)} where ${key.sql}`, key.params);
  if (!res.rowCount) throw new MutationRejected('forbidden', `Your role may not delete this ${t.name} row.`);
  return { status: 'applied', wrote: true };
}
