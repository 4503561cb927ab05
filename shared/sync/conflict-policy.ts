/**
 * What happens when a column was changed both on the server and in a queued edit (the server's
 * value differs from the edit's base, and the edit's value differs from the server's). The default
 * is `manual`: the server's value stays, the mutation's status is `conflict`, and a person decides
 * in the conflict inbox. The automatic rules below are the only exceptions; each has a test.
 * Shared, so the app can explain a resolution the same way the gateway made it.
 */
import { MANAGERS, type Role } from '../schema/roles.js';
import type { ColumnConflict, Resolution } from './mutations.js';

/** The three values of a column, and the role of whoever made `mine`. */
export type ColumnSides = { base: unknown; server: unknown; mine: unknown; role: Role };
export type ColumnDecision = { resolution: Resolution; result: unknown; rule?: string };

export type ConflictRule = {
  /** A stable name, reported in results and shown to users. */
  name: string;
  table: string;
  column: string;
  /** Why the rule exists, in the words of the people it serves. */
  why: string;
  decide(sides: ColumnSides): Omit<ColumnDecision, 'rule'>;
};

const isTrue = (v: unknown) => v === true;

/** Three-way merge of two edits of a set: keep what either side added, drop what either removed. */
function mergeSets(base: unknown, server: unknown, mine: unknown): string[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const b = new Set(list(base));
  const s = list(server);
  const m = list(mine);
  const removed = new Set([...b].filter((x) => !s.includes(x) || !m.includes(x)));
  const out: string[] = [];
  for (const x of [...s, ...m]) if (!removed.has(x) && !out.includes(x)) out.push(x);
  return out;
}

export const CONFLICT_RULES: readonly ConflictRule[] = [
  {
    name: 'completed-stays-completed',
    table: 'task_subtasks',
    column: 'is_completed',
    why: 'A checklist item someone completed on site stays completed; un-ticking it needs a deliberate second edit.',
    decide: ({ server, mine }) =>
      isTrue(server) || isTrue(mine)
        ? { resolution: 'merged', result: true }
        : { resolution: 'server', result: server },
  },
  {
    name: 'dispatch-status-wins',
    table: 'tasks',
    column: 'status',
    why:
      "Dispatch re-plans work (cancels, reassigns): the status a dispatcher sets wins over a technician's, " +
      'whichever reached the server first; the result names the rule.',
    // Only the role of mine is known: a manager's edit wins, anyone else's yields to the server's.
    decide: ({ server, mine, role }) =>
      MANAGERS.includes(role) ? { resolution: 'client', result: mine } : { resolution: 'server', result: server },
  },
  {
    name: 'tags-merge',
    table: 'tasks',
    column: 'tags',
    why: 'Tags added on both sides are all kept; a tag removed on either side is removed.',
    decide: ({ base, server, mine }) => ({ resolution: 'merged', result: mergeSets(base, server, mine) }),
  },
];

const byColumn = new Map(CONFLICT_RULES.map((r) => [`${r.table}.${r.column}`, r]));
const byName = new Map(CONFLICT_RULES.map((r) => [r.name, r]));

/** The rule a result names (ColumnConflict.rule), to explain its decision in its own words. */
export const conflictRule = (name: string | undefined): ConflictRule | undefined =>
  name === undefined ? undefined : byName.get(name);

/** The decision for a column changed on both sides (call only when server ≠ base and mine ≠ server). */
export function decideConflict(table: string, column: string, sides: ColumnSides): ColumnDecision {
  const rule = byColumn.get(`${table}.${column}`);
  if (!rule) return { resolution: 'manual', result: sides.server };
  return { ...rule.decide(sides), rule: rule.name };
}

/** JSON with object keys sorted: one text per value, so equal values compare equal. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  ) ?? 'null';

/**
 * Whether an automatic decision overrode my edit of a column, so that I must be told: the row does
 * not hold what my edit made it hold. `server` always overrides (my value was set aside); `merged`
 * overrides when the result undoes part of my change (for a set: something I added is missing or
 * something I removed is back; for any other value: the result is not mine), so tags merged with
 * someone else's additions are not an override, but an un-ticked checklist item that stays completed
 * is; `client` never overrides; `manual` is not decided at all (a conflict for a person).
 */
export function overridesMine(c: Pick<ColumnConflict, 'resolution' | 'base' | 'mine' | 'result'>): boolean {
  if (c.resolution === 'manual' || c.resolution === 'client') return false;
  if (c.resolution === 'merged' && Array.isArray(c.mine) && Array.isArray(c.result)) {
    const base = new Set((Array.isArray(c.base) ? c.base : []).map(canonical));
    const mine = new Set(c.mine.map(canonical));
    const result = new Set(c.result.map(canonical));
    const lostAddition = [...mine].some((x) => !base.has(x) && !result.has(x));
    const undoneRemoval = [...base].some((x) => !mine.has(x) && result.has(x));
    return lostAddition || undoneRemoval;
  }
  return canonical(c.result) !== canonical(c.mine);
}
