import { describe, expect, it } from 'vitest';
import { tableByName } from '../schema/tables.js';
import { CONFLICT_RULES, conflictRule, decideConflict, overridesMine } from './conflict-policy.js';

describe('conflict policy', () => {
  it('leaves a column without a rule to a person, keeping the server value', () => {
    expect(decideConflict('tasks', 'notes', { base: 'a', server: 'b', mine: 'c', role: 'technician' })).toEqual({
      resolution: 'manual',
      result: 'b',
    });
  });

  it('completed-stays-completed: either side completing wins; both un-ticking keeps the server value', () => {
    const d = (server: boolean, mine: boolean) =>
      decideConflict('task_subtasks', 'is_completed', { base: null, server, mine, role: 'technician' });
    expect(d(true, false)).toEqual({ resolution: 'merged', result: true, rule: 'completed-stays-completed' });
    expect(d(false, true)).toEqual({ resolution: 'merged', result: true, rule: 'completed-stays-completed' });
    expect(d(false, false)).toMatchObject({ resolution: 'server', result: false });
  });

  it('dispatch-status-wins: a technician yields to the server status, a dispatcher overrides it; the decision names the rule', () => {
    const sides = { base: 'scheduled', server: 'in_progress', mine: 'cancelled' };
    expect(decideConflict('tasks', 'status', { ...sides, role: 'technician' })).toEqual({
      resolution: 'server',
      result: 'in_progress',
      rule: 'dispatch-status-wins',
    });
    for (const role of ['dispatcher', 'admin', 'owner'] as const)
      expect(decideConflict('tasks', 'status', { ...sides, role })).toEqual({
        resolution: 'client',
        result: 'cancelled',
        rule: 'dispatch-status-wins',
      });
  });

  it('tags-merge: additions from both sides are kept, removals from either side apply', () => {
    expect(
      decideConflict('tasks', 'tags', {
        base: ['a', 'b', 'c'],
        server: ['a', 'b', 'x'],
        mine: ['b', 'c', 'y'],
        role: 'technician',
      }),
    ).toEqual({ resolution: 'merged', result: ['b', 'x', 'y'], rule: 'tags-merge' });
    expect(
      decideConflict('tasks', 'tags', { base: null, server: ['x'], mine: ['x', 'y'], role: 'technician' }).result,
    ).toEqual(['x', 'y']);
  });

  it('every rule names a real table and column once', () => {
    const keys = CONFLICT_RULES.map((r) => `${r.table}.${r.column}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of CONFLICT_RULES) expect(tableByName(r.table)?.columns[r.column], r.name).toBeDefined();
  });

  it('overridesMine: told when a rule set my value aside or undid part of my change, not when it kept it', () => {
    const sides = { base: 'scheduled', server: 'cancelled', mine: 'in_progress', role: 'technician' } as const;
    const status = decideConflict('tasks', 'status', sides);
    expect(overridesMine({ ...sides, ...status })).toBe(true);
    const manager = decideConflict('tasks', 'status', { ...sides, role: 'dispatcher' });
    expect(overridesMine({ ...sides, ...manager })).toBe(false);
    expect(overridesMine({ ...sides, resolution: 'manual', result: 'cancelled' })).toBe(false);

    const untick = { base: true, server: true, mine: false };
    const stays = decideConflict('task_subtasks', 'is_completed', { ...untick, role: 'technician' });
    expect(overridesMine({ ...untick, ...stays })).toBe(true);
    const tick = { base: false, server: false, mine: true };
    expect(overridesMine({ ...tick, resolution: 'merged', result: true })).toBe(false);

    // Tags: someone else's additions and removals are not an override of mine; undoing mine is.
    const tags = (base: string[], server: string[], mine: string[]) => {
      const d = decideConflict('tasks', 'tags', { base, server, mine, role: 'technician' });
      return overridesMine({ base, mine, ...d });
    };
    expect(tags(['a'], ['a', 'x'], ['a', 'y'])).toBe(false);
    expect(tags(['a', 'b'], ['a'], ['a', 'b', 'y'])).toBe(false);
    expect(overridesMine({ base: ['a'], mine: ['a', 'y'], resolution: 'merged', result: ['a'] })).toBe(true);
    expect(overridesMine({ base: ['a'], mine: [], resolution: 'merged', result: ['a', 'x'] })).toBe(true);
    expect(overridesMine({ base: null, mine: { a: 1, b: 2 }, resolution: 'merged', result: { b: 2, a: 1 } })).toBe(
      false,
    );
  });

  it('conflictRule finds a rule by the name a result carries, with its why', () => {
    expect(conflictRule('dispatch-status-wins')).toMatchObject({
      table: 'tasks',
      why: expect.stringMatching(/^Dispatch/),
    });
    expect(conflictRule('no-such-rule')).toBeUndefined();
    expect(conflictRule(undefined)).toBeUndefined();
  });
});
