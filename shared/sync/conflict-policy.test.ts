import { describe, expect, it } from 'vitest';
import { tableByName } from '../schema/tables.js';
import { CONFLICT_RULES, decideConflict } from './conflict-policy.js';

describe('conflict policy', () => {
  it('leaves a column without a rule to a person, keeping the server value', () => {
    expect(decideConflict('tasks', 'notes', { base: 'a', server: 'b', mine: 'c' })).toEqual({
      resolution: 'manual',
      result: 'b',
    });
  });

  it('completed-stays-completed: either side completing wins; both un-ticking keeps the server value', () => {
    const d = (server: boolean, mine: boolean) =>
      decideConflict('task_subtasks', 'is_completed', { base: null, server, mine });
    expect(d(true, false)).toEqual({ resolution: 'merged', result: true, rule: 'completed-stays-completed' });
    expect(d(false, true)).toEqual({ resolution: 'merged', result: true, rule: 'completed-stays-completed' });
    expect(d(false, false)).toMatchObject({ resolution: 'server', result: false });
  });

  it('dispatch-status-wins: the server status stays and the decision names the rule', () => {
    expect(decideConflict('tasks', 'status', { base: 'scheduled', server: 'cancelled', mine: 'done' })).toEqual({
      resolution: 'server',
      result: 'cancelled',
      rule: 'dispatch-status-wins',
    });
  });

  it('tags-merge: additions from both sides are kept, removals from either side apply', () => {
    expect(
      decideConflict('tasks', 'tags', { base: ['a', 'b', 'c'], server: ['a', 'b', 'x'], mine: ['b', 'c', 'y'] }),
    ).toEqual({ resolution: 'merged', result: ['b', 'x', 'y'], rule: 'tags-merge' });
    expect(decideConflict('tasks', 'tags', { base: null, server: ['x'], mine: ['x', 'y'] }).result).toEqual(['x', 'y']);
  });

  it('every rule names a real table and column once', () => {
    const keys = CONFLICT_RULES.map((r) => `${r.table}.${r.column}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of CONFLICT_RULES) expect(tableByName(r.table)?.columns[r.column], r.name).toBeDefined();
  });
});
