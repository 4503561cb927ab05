/**
 * Applies uploaded mutations in Postgres under RLS as the caller (DESIGN.md "Local edits and
 * conflict-aware upload"). Every mutation's result is stored in app.processed_mutations in the
 * transaction that applied it, so a retry gets the stored result and changes nothing; rejections
 * are stored too (one id, one outcome), except `id_reused`, which is about an id stored for
 * something else. What each mutation does to its row: row-writes.ts.
 *
 * Transactions. A request runs first in ONE transaction (`fast`): every mutation in order, without
 * savepoints, and the bookkeeping of all of them in one statement, one commit. All mutations that
 * wrote share that transaction's txid and commit together, so the client confirms them together
 * when that txid comes down the stream. When something must be undone — a Postgres error (an RLS
 * refusal, a constraint, a value Postgres refuses, a deadlock), or a rejection inside a `tx` group
 * after part of the group wrote — that transaction is rolled back whole, nothing of it is stored,
 * and the request runs again `careful`ly: one transaction per group, a savepoint per mutation, so a
 * mutation's failure rolls back only itself (or its group) and becomes its readable rejection, while
 * the others apply. Either way every mutation is decided exactly once, in the transaction that
 * stores its result.
 *
 * - tx group: all of it or none; the first rejection rejects the others as `dependency_rejected`
 *   naming that mutation. A later mutation of the request that refers (by key, or by any uuid
 *   column) to a row whose insert was rejected is `dependency_rejected` too.
 * - txid: pg_current_xact_id()::xid, only on results whose mutation wrote a row.
 * - Errors that are not Postgres errors (a lost connection, a bug) propagate at once: the open
 *   transaction rolls back without storing anything and the request fails (the client retries;
 *   idempotency covers what earlier `careful` transactions committed).
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Mutation, MutationResult } from '../../../../shared/sync/mutations.js';
import { userClaims, type Claims } from '../../db/as-user.js';
import { beginAsCaller, storeDecisions, takenIds, type Decided, type TakenRow } from './caller-transaction.js';
import { pgErrorCode } from './pg-errors.js';
import { applyPlan, rejected, type Outcome, type Reason, type RunMode } from './row-writes.js';
import { MutationRejected, planMutation, referencedIds, type Caller } from './validate.js';
import { stableJson } from './values.js';

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

/** The fast transaction has to be undone; the request runs again carefully. */
class UndoNeeded extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

/** Applies a request's mutations in order; one result per mutation. Throws on unexpected errors. */
export async function processMutations(
  client: pg.ClientBase,
  caller: Caller,
  mutations: readonly Mutation[],
): Promise<MutationResult[]> {
  const claims = userClaims(caller.userId, caller.organizationId);
  const groups = groupMutations(mutations);
  try {
    return await inTransaction(client, claims, groups.flat(), (txid) =>
      decideAll(client, caller, groups, 'fast', txid),
    );
  } catch (e) {
    // Only what a careful run decides differently: anything else would fail the same way again.
    if (!(e instanceof UndoNeeded) && pgErrorCode(e) === undefined) throw e;
  }
  const state = new RequestState();
  const results: MutationResult[] = [];
  for (const group of groups) {
    const out = await inTransaction(client, claims, group, (txid) =>
      decideAll(client, caller, [group], 'careful', txid, state),
    );
    results.push(...out);
  }
  return results;
}

/** Runs `fn` in a transaction as the caller holding the locks of `mutations`' ids; rolls back if it throws. */
async function inTransaction<T>(
  c: pg.ClientBase,
  claims: Claims,
  mutations: readonly Mutation[],
  fn: (txid: number) => Promise<T>,
): Promise<T> {
  // One decision per mutation id at a time, whichever gateway copy or request it arrives through:
  // advisory locks taken in id order, so two transactions cannot deadlock on them.
  const ids = [...new Set(mutations.map((m) => m.id.toLowerCase()))].sort();
  try {
    const txid = await beginAsCaller(c, claims, ids);
    const out = await fn(txid);
    await c.query('commit');
    return out;
  } catch (e) {
    try {
      await c.query('rollback');
    } catch {
      // The connection is gone; the caller's error says why.
    }
    throw e;
  }
}

/** What one request's groups leave for the next: rows whose inserts were rejected. */
class RequestState {
  readonly rejectedInserts = new Map<string, RejectedInsert>();

  noteRejected(m: Mutation, r: MutationResult): void {
    // already_exists and id_reused say nothing about whether the row exists: no dependency on those.
    const code = r.reason?.code;
    if (r.status !== 'rejected' || m.op !== 'insert' || code === 'already_exists' || code === 'id_reused') return;
    for (const id of Object.values(m.pk)) {
      if (typeof id === 'string')
        this.rejectedInserts.set(id.toLowerCase(), { mutationId: m.id, table: m.table, code: code ?? '' });
    }
  }

  /** A mutation that refers to a row whose insert was rejected earlier in the request cannot apply. */
  dependencyRejection(m: Mutation): Outcome | undefined {
    for (const id of referencedIds(m)) {
      const r = this.rejectedInserts.get(id);
      if (r) {
        return rejected({
          code: 'dependency_rejected',
          message: `Refers to ${r.table} row ${id}, whose insert (mutation ${r.mutationId}) was rejected (${r.code}).`,
        });
      }
    }
    return undefined;
  }
}

/** Decides `groups` in the open transaction `txid` and stores the decisions in it. */
async function decideAll(
  c: pg.ClientBase,
  caller: Caller,
  groups: readonly Mutation[][],
  mode: RunMode,
  txid: number,
  state = new RequestState(),
): Promise<MutationResult[]> {
  const taken = await takenIds(
    c,
    groups.flat().map((m) => m.id.toLowerCase()),
  );
  const results: MutationResult[] = [];
  const decided: Decided[] = [];
  for (const group of groups) {
    const outcomes = await decideGroup(c, caller, group, mode, taken, state);
    group.forEach((m, i) => {
      const o = outcomes[i]!;
      const result = 'stored' in o ? o.stored : resultOf(m, o, txid);
      if (!('stored' in o)) {
        decided.push({ mutation: m, hash: o.hash, result, conflicts: o.conflicts ?? [] });
      }
      results.push(result);
      state.noteRejected(m, result);
    });
  }
  await storeDecisions(c, caller, decided);
  return results;
}

const resultOf = (m: Mutation, o: Outcome, txid: number): MutationResult => ({
  id: m.id,
  status: o.status,
  ...(o.wrote ? { txid } : {}),
  ...(o.conflicts?.length ? { conflicts: o.conflicts } : {}),
  ...(o.reason ? { reason: o.reason } : {}),
});

/** A mutation's fate in a group: decided now (with its payload hash, to store), or already stored / refused. */
type GroupOutcome = (Outcome & { hash: string }) | { stored: MutationResult };

async function decideGroup(
  c: pg.ClientBase,
  caller: Caller,
  group: Mutation[],
  mode: RunMode,
  taken: Map<string, TakenRow>,
  state: RequestState,
): Promise<GroupOutcome[]> {
  const hashes = group.map(payloadHash);
  const out: (GroupOutcome | undefined)[] = group.map(() => undefined);
  let reusedId: string | undefined;
  group.forEach((m, i) => {
    const s = taken.get(m.id.toLowerCase());
    if (!s) return;
    if (s.user_id === caller.userId && s.organization_id === caller.organizationId && s.payload_hash === hashes[i]) {
      out[i] = { stored: s.result! }; // a replay: the stored answer, nothing applied again
      return;
    }
    reusedId ??= m.id;
    out[i] = {
      stored: {
        id: m.id,
        status: 'rejected',
        reason: {
          code: 'id_reused',
          message: `Mutation id ${m.id} was already used for a different change; a new change needs a new id.`,
        },
      },
    };
  });
  const pending = group.map((_, i) => i).filter((i) => out[i] === undefined);
  if (pending.length === 0) return out as GroupOutcome[];

  const isTx = group.length > 1 || group[0]!.tx !== undefined;
  const outcomes = new Map<number, Outcome>();
  if (isTx && mode === 'careful') await c.query('savepoint mutation_group');
  let failure: { id: string; reason: Reason } | undefined = reusedId
    ? { id: reusedId, reason: { code: 'id_reused', message: 'its id was already used for a different change' } }
    : undefined;
  if (!failure) {
    for (const i of pending) {
      const m = group[i]!;
      const outcome = state.dependencyRejection(m) ?? (await applyOne(c, caller, m, mode));
      outcomes.set(i, outcome);
      if (isTx && outcome.status === 'rejected') {
        failure = { id: m.id, reason: outcome.reason! };
        break;
      }
    }
  }
  if (isTx && failure) {
    if (mode === 'careful') await c.query('rollback to savepoint mutation_group');
    else if ([...outcomes.values()].some((o) => o.wrote)) throw new UndoNeeded(`tx group of ${failure.id} rejected`);
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
  for (const i of pending) out[i] = { ...outcomes.get(i)!, hash: hashes[i]! };
  return out as GroupOutcome[];
}

async function applyOne(c: pg.ClientBase, caller: Caller, m: Mutation, mode: RunMode): Promise<Outcome> {
  try {
    return await applyPlan(c, planMutation(m, caller), caller, mode);
  } catch (e) {
    if (e instanceof MutationRejected) return rejected({ code: e.code, message: e.message });
    throw e;
  }
}
