/**
 * One mutation's SQL, as the caller, in an open transaction (apply.ts decides which transaction and
 * what a failure means). An update or a delete costs one statement to lock and read the row, with
 * the canonical form of the client's values computed in the same statement, and one to write; an
 * insert is one statement.
 *
 * Two ways to run (apply.ts):
 * - `fast`: no savepoints. A Postgres error aborts the transaction and propagates; the caller rolls
 *   it all back and runs the request again `careful`ly. Rejections decided here (not found, forbidden,
 *   deleted on the server) happen before the mutation writes anything, so they need no rollback.
 * - `careful`: a savepoint per mutation. An error the mutation caused by its content (RLS refusal,
 *   constraint, a value Postgres refuses) rolls back only this mutation and becomes its rejection; a
 *   value Postgres refuses is tried column by column so the reason names the column.
 *
 * Decisions (see also values.ts for the comparison form):
 * - update: the row is locked (SELECT … FOR UPDATE) and each changed column is compared three ways —
 *   base (what the edit was made on), server (now), mine (the edit). Server unchanged → mine applies;
 *   mine equals server → nothing to do; both changed → shared/sync/conflict-policy.ts decides, and a
 *   `manual` column keeps the server's value and makes the status `conflict`. An update of a
 *   soft-deleted row is `not_found` (deleted on the server) unless it sets deleted_at itself.
 * - delete: of a row that is not there is `applied` with no txid and an informational `not_found`
 *   (the same answer for another organization's id, so it reveals nothing). If the row changed after
 *   the edit's base (row_version higher and a base column differs, or no base columns were sent;
 *   updated_at/row_version are not compared), nothing is deleted and the status is `conflict`. Tables
 *   with deleted_at are soft-deleted; the others are deleted.
 */
import type pg from 'pg';
import { primaryKey, type TableDef } from '../../../../shared/schema/table.js';
import { decideConflict } from '../../../../shared/sync/conflict-policy.js';
import type { ColumnConflict, MutationResult } from '../../../../shared/sync/mutations.js';
import { pgErrorCode, rejectionForPgError } from './pg-errors.js';
import { memo, prepared } from './statements.js';
import { MutationRejected, type Caller, type Entry, type Plan, type Rejection } from './validate.js';
import { canonicalSql, castParam, quoteIdent as q, sameValue, toParam } from './values.js';

/** A rejection's reason, or (on `conflict` and some `applied` results) an explanation. */
export type Reason = { code: string; message: string };

export type Outcome = {
  status: MutationResult['status'];
  conflicts?: ColumnConflict[];
  reason?: Reason;
  /** Whether a row was written (so the result carries the transaction's txid). */
  wrote: boolean;
};

export type RunMode = 'fast' | 'careful';

export const rejected = (r: Rejection | Reason): Outcome => ({ status: 'rejected', reason: r, wrote: false });

/** Applies a planned mutation; see the header for what `mode` changes. */
export async function applyPlan(c: pg.ClientBase, plan: Plan, caller: Caller, mode: RunMode): Promise<Outcome> {
  if (mode === 'fast') {
    try {
      return await write(c, plan, caller);
    } catch (e) {
      if (e instanceof MutationRejected) return rejected({ code: e.code, message: e.message });
      throw e;
    }
  }
  await c.query('savepoint mutation_one');
  try {
    const outcome = await write(c, plan, caller);
    await c.query('release savepoint mutation_one');
    return outcome;
  } catch (e) {
    await c.query('rollback to savepoint mutation_one');
    if (e instanceof MutationRejected) return rejected({ code: e.code, message: e.message });
    const reason = (pgErrorCode(e)?.startsWith('22') ? await badValue(c, plan) : null) ?? rejectionForPgError(e, plan);
    if (!reason) throw e;
    return rejected(reason);
  }
}

const write = (c: pg.ClientBase, plan: Plan, caller: Caller): Promise<Outcome> =>
  plan.op === 'insert'
    ? applyInsert(c, plan)
    : plan.op === 'update'
      ? applyUpdate(c, plan, caller)
      : applyDelete(c, plan);

const table = (t: TableDef) => `public.${q(t.name)}`;

/** `"id" = $1::uuid and …` for the row's key, numbered from `from`. */
const keySql = (t: TableDef, from: number) =>
  primaryKey(t)
    .map((col, i) => `${q(col)} = ${castParam(t.columns[col]!, from + i)}`)
    .join(' and ');
const keyParams = (t: TableDef, pk: Record<string, string>) => primaryKey(t).map((col) => pk[col]);

/** The client values whose canonical form a plan compares (update: values, then their bases; delete: bases). */
function comparedEntries(plan: Plan): { mine: Entry[]; base: Entry[] } {
  if (plan.op === 'insert') return { mine: plan.values, base: [] };
  if (plan.op === 'delete') return { mine: [], base: plan.base.filter((e) => !e.def.serverOwned) };
  return { mine: plan.values, base: plan.values.map((v) => plan.base.find((b) => b.column === v.column)!) };
}

/**
 * The first of a plan's values Postgres refuses to cast to its column's type, as a rejection naming
 * the column; null when each casts on its own. Runs each cast in its own savepoint.
 */
async function badValue(c: pg.ClientBase, plan: Plan): Promise<Rejection | null> {
  const { mine, base } = comparedEntries(plan);
  for (const entry of [...mine, ...base]) {
    await c.query('savepoint mutation_value');
    try {
      await c.query(
        prepared(`select ${canonicalSql(entry.def, castParam(entry.def, 1))}`, [toParam(entry.def, entry.value)]),
      );
      await c.query('release savepoint mutation_value');
    } catch (e) {
      await c.query('rollback to savepoint mutation_value');
      if (!pgErrorCode(e)?.startsWith('22')) throw e;
      const where = entry.source === 'base' ? ' (base)' : '';
      return { code: 'invalid', message: `${plan.table.name}.${entry.column}${where}: ${(e as Error).message}.` };
    }
  }
  return null;
}

const insertSql = memo(
  (t: TableDef, values: Entry[]) => `${t.name}|${values.map((v) => v.column).join(',')}`,
  (t: TableDef, values: Entry[]) =>
    `insert into ${table(t)} (${values.map((v) => q(v.column)).join(', ')}) values (${values
      .map((v, i) => castParam(v.def, i + 1))
      .join(', ')})`,
);

async function applyInsert(c: pg.ClientBase, plan: Extract<Plan, { op: 'insert' }>): Promise<Outcome> {
  const params = plan.values.map((v) => toParam(v.def, v.value));
  await c.query(prepared(insertSql(plan.table, plan.values), params));
  return { status: 'applied', wrote: true };
}

/**
 * Locks the row and reads the canonical form of `columns`, its row_version and whether it is
 * soft-deleted; in the same statement, the canonical form of the client's `values` (computed even
 * when the row is missing, so a value Postgres refuses is refused whatever the row).
 */
const readSql = memo(
  (t: TableDef, columns: Entry[], values: Entry[]) =>
    `${t.name}|${columns.map((e) => e.column).join(',')}|${values.map((e) => e.column).join(',')}`,
  (t: TableDef, columns: Entry[], values: Entry[]) => {
    const from = primaryKey(t).length + 1;
    const server = columns.map((e, i) => `${canonicalSql(e.def, q(e.column))} as s${i}`);
    const client = values.map((e, i) => `${canonicalSql(e.def, castParam(e.def, from + i))} as c${i}`);
    const deleted = t.softDelete ? 'deleted_at is not null' : 'false';
    return `with r as (
      select ${[...server, 'row_version::text as row_version', `${deleted} as deleted`].join(', ')}
      from ${table(t)} where ${keySql(t, 1)} for update
    )
    select ${[...client, 'r.*'].join(', ')} from (select) as one left join r on true`;
  },
);

const visibleSql = memo(
  (t: TableDef) => t.name,
  (t: TableDef) => `select 1 from ${table(t)} where ${keySql(t, 1)}`,
);

type LockedRow = { server: unknown[]; client: unknown[]; version: number; deleted: boolean };

/**
 * The row locked and read (undefined when the caller cannot see it), with the client values'
 * canonical forms. MutationRejected `forbidden` when the caller can see the row but not write it
 * (RLS lets FOR UPDATE lock only rows the caller may update).
 */
async function lockRow(
  c: pg.ClientBase,
  t: TableDef,
  pk: Record<string, string>,
  columns: Entry[],
  values: Entry[],
): Promise<{ row: LockedRow | undefined; client: unknown[] }> {
  const { rows } = await c.query<Record<string, unknown>>(
    prepared(readSql(t, columns, values), [...keyParams(t, pk), ...values.map((e) => toParam(e.def, e.value))]),
  );
  const r = rows[0]!;
  const client = values.map((_, i) => r[`c${i}`]);
  if (r.row_version === null) {
    const visible = await c.query(prepared(visibleSql(t), keyParams(t, pk)));
    if (visible.rowCount) throw new MutationRejected('forbidden', `Your role may not change this ${t.name} row.`);
    return { row: undefined, client };
  }
  return {
    row: {
      server: columns.map((_, i) => r[`s${i}`]),
      client,
      version: Number(r.row_version),
      deleted: r.deleted === true,
    },
    client,
  };
}

const notFoundMessage = (t: TableDef, pk: Record<string, string>) =>
  `There is no ${t.name} row ${Object.values(pk).join('/')} in your organization: it was deleted on the server, or never reached it.`;

const updateSql = memo(
  (t: TableDef, columns: Entry[]) => `${t.name}|${columns.map((e) => e.column).join(',')}`,
  (t: TableDef, columns: Entry[]) =>
    `update ${table(t)} set ${columns.map((e, i) => `${q(e.column)} = ${castParam(e.def, i + 1)}`).join(', ')} where ${keySql(t, columns.length + 1)}`,
);

async function applyUpdate(c: pg.ClientBase, plan: Extract<Plan, { op: 'update' }>, caller: Caller): Promise<Outcome> {
  const t = plan.table;
  const { mine: mineEntries, base: baseEntries } = comparedEntries(plan);
  const { row, client } = await lockRow(c, t, plan.pk, plan.values, [...mineEntries, ...baseEntries]);
  if (!row) throw new MutationRejected('not_found', notFoundMessage(t, plan.pk));
  if (row.deleted && !plan.values.some((v) => v.column === 'deleted_at')) {
    throw new MutationRejected(
      'not_found',
      `This ${t.name} row was deleted on the server after your edit; your change was not applied.`,
    );
  }
  const mine = client.slice(0, plan.values.length);
  const base = client.slice(plan.values.length);

  const writes: { entry: Entry; value: unknown }[] = [];
  const conflicts: ColumnConflict[] = [];
  plan.values.forEach((entry, i) => {
    const [b, s, m] = [base[i], row.server[i], mine[i]];
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
    const entries = writes.map((w) => w.entry);
    const res = await c.query(
      prepared(updateSql(t, entries), [...writes.map((w) => toParam(w.entry.def, w.value)), ...keyParams(t, plan.pk)]),
    );
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
  };
}

const deleteSql = memo(
  (t: TableDef) => t.name,
  (t: TableDef) =>
    t.softDelete
      ? `update ${table(t)} set deleted_at = now() where ${keySql(t, 1)}`
      : `delete from ${table(t)} where ${keySql(t, 1)}`,
);

async function applyDelete(c: pg.ClientBase, plan: Extract<Plan, { op: 'delete' }>): Promise<Outcome> {
  const t = plan.table;
  // What the server maintains itself (updated_at, row_version) changes with every write: compare the rest.
  const { base: compared } = comparedEntries(plan);
  const { row, client: base } = await lockRow(c, t, plan.pk, compared, compared);
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
      .map((e, i) => ({ e, b: base[i], s: row.server[i] }))
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
  const res = await c.query(prepared(deleteSql(t), keyParams(t, plan.pk)));
  if (!res.rowCount) throw new MutationRejected('forbidden', `Your role may not delete this ${t.name} row.`);
  return { status: 'applied', wrote: true };
}
