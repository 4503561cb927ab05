/** The database-free parts of the mutation endpoint: value checks, plans, request parsing. */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { devices, tasks } from '../../../../shared/schema/tables.js';
import type { Mutation } from '../../../../shared/sync/mutations.js';
import { groupMutations, payloadHash } from './apply.js';
import { constraintColumns } from './pg-errors.js';
import { parseMutationsRequest } from './route.js';
import { MutationRejected, planMutation, type Caller } from './validate.js';
import { valueProblem } from './values.js';

const caller: Caller = {
  userId: crypto.randomUUID(),
  organizationId: crypto.randomUUID(),
  role: 'technician',
  clientId: crypto.randomUUID(),
};

const rejection = (m: Mutation, who: Caller = caller) => {
  try {
    planMutation(m, who);
  } catch (e) {
    if (e instanceof MutationRejected) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
};

describe('valueProblem', () => {
  it('accepts what the shape stream and the replica send, and explains the rest', () => {
    const c = tasks.columns;
    expect(valueProblem(c.due_at!, '2026-06-01T08:00:00.000000Z')).toBeNull();
    expect(valueProblem(c.due_at!, '2026-06-01 08:00:00+00')).toBeNull();
    expect(valueProblem(c.due_at!, '2026-06-01T08:00:00')).toMatch(/zone/);
    expect(valueProblem(c.estimated_minutes!, 2 ** 31)).toMatch(/whole number/);
    expect(valueProblem(c.estimated_minutes!, 1.5)).toMatch(/whole number/);
    expect(valueProblem(c.tags!, ['a', null])).toMatch(/null/);
    expect(valueProblem(c.title!, null)).toMatch(/required/);
    expect(valueProblem(c.notes!, null)).toBeNull();
    expect(valueProblem(c.status!, 'finished')).toMatch(/one of open/);
    expect(valueProblem(c.title!, 'a\u0000b')).toMatch(/NUL/);
    expect(valueProblem(c.row_version!, '9223372036854775807')).toBeNull();
    expect(valueProblem(c.row_version!, '9223372036854775808')).not.toBeNull();
    expect(valueProblem(devices.columns.install_date!, '2026-02-30')).toMatch(/date/);
  });
});

describe('planMutation', () => {
  const id = crypto.randomUUID();
  it('fills organization_id and created_by on insert, and needs the required columns', () => {
    const plan = planMutation(
      {
        id,
        table: 'devices',
        op: 'insert',
        pk: { id },
        values: { property_id: id, device_type_id: id, serial_number: 'x' },
      },
      caller,
    );
    expect(plan.op === 'insert' && Object.fromEntries(plan.values.map((v) => [v.column, v.value]))).toMatchObject({
      id,
      organization_id: caller.organizationId,
    });
    expect(rejection({ id, table: 'devices', op: 'insert', pk: { id }, values: { serial_number: 'x' } })).toMatchObject(
      { code: 'invalid', message: expect.stringContaining('property_id, device_type_id') },
    );
  });

  it('refuses by role, by column and by key', () => {
    expect(rejection({ id, table: 'tasks', op: 'insert', pk: { id }, values: {} })).toMatchObject({
      code: 'forbidden',
    });
    expect(rejection({ id, table: 'tasks', op: 'delete', pk: { id }, base: { values: {}, version: 1 } })).toMatchObject(
      {
        code: 'forbidden',
      },
    );
    expect(
      rejection({
        id,
        table: 'tasks',
        op: 'update',
        pk: { id },
        values: { updated_at: null },
        base: { values: {}, version: 1 },
      }),
    ).toMatchObject({ code: 'server_owned' });
    expect(
      rejection({
        id,
        table: 'tasks',
        op: 'update',
        pk: { task: id },
        values: { notes: 'x' },
        base: { values: {}, version: 1 },
      }),
    ).toMatchObject({ code: 'invalid', message: expect.stringContaining('key') });
    expect(
      rejection({
        id,
        table: 'tasks',
        op: 'update',
        pk: { id: 'nope' },
        values: { notes: 'x' },
        base: { values: {}, version: 1 },
      }),
    ).toMatchObject({ code: 'invalid' });
    expect(rejection({ id, table: 'tasks', op: 'update', pk: { id }, values: { notes: 'x' } })).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('base'),
    });
  });
});

describe('helpers', () => {
  it('names the columns of a constraint', () => {
    expect(constraintColumns(devices, 'devices_serial_number_key')).toEqual(['serial_number']);
    expect(constraintColumns(devices, 'devices_organization_id_property_id_fkey')).toEqual(['property_id']);
    expect(constraintColumns(tasks, 'tasks_estimated_minutes_check')).toEqual(['estimated_minutes']);
    expect(constraintColumns(tasks, 'tasks_pkey')).toEqual([]);
  });

  it('hashes a payload independently of key order, and groups adjacent tx members', () => {
    const a: Mutation = { id: crypto.randomUUID(), table: 't', op: 'update', pk: { id: '1' }, values: { a: 1, b: 2 } };
    const b: Mutation = { ...a, values: { b: 2, a: 1 } };
    expect(payloadHash(a)).toBe(payloadHash(b));
    expect(payloadHash(a)).not.toBe(payloadHash({ ...a, values: { a: 1, b: 3 } }));
    const tx = crypto.randomUUID();
    const groups = groupMutations([{ ...a, tx }, { ...a, tx }, a, { ...a, tx: crypto.randomUUID() }]);
    expect(groups.map((g) => g.length)).toEqual([2, 1, 1]);
  });

  it('refuses a request whose tx members are not adjacent, or that repeats an id', () => {
    const m = { id: crypto.randomUUID(), table: 'tasks', op: 'delete', pk: { id: crypto.randomUUID() } };
    const tx = crypto.randomUUID();
    const body = (mutations: unknown[]) => ({ client_id: crypto.randomUUID(), mutations });
    expect(() => parseMutationsRequest(body([m, m]))).toThrow(/twice/);
    expect(() =>
      parseMutationsRequest(
        body([
          { ...m, tx },
          { ...m, id: crypto.randomUUID() },
          { ...m, id: crypto.randomUUID(), tx },
        ]),
      ),
    ).toThrow(/adjacent/);
    expect(() => parseMutationsRequest([])).toThrow(/JSON object/);
    expect(parseMutationsRequest(body([m])).mutations).toHaveLength(1);
  });
});
