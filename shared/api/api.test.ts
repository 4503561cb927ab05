import { describe, expect, it } from 'vitest';
import { createAppApi, type Transport } from './client.js';
import { channels, events, type Handlers } from './contract.js';
import { dispatch } from './dispatch.js';
import { CHANNEL_NAMES, EVENT_NAMES, isChannel, isEventName } from './names.js';
import { ApiError } from './result.js';
import { isOverdue, nextStatuses } from './task-status.js';

const TASK = '0b6f2d4e-5a1c-4c3e-9f7a-1d2e3f4a5b6c';

/** Handlers that fail loudly unless a test gives one: only the channels a test names are callable. */
function handlers(given: Partial<Handlers>): Handlers {
  return new Proxy(given as Handlers, {
    get: (target, key: string) => target[key as keyof Handlers] ?? (() => Promise.reject(new Error(`no ${key}`))),
  });
}

describe('dispatch', () => {
  it('refuses a channel outside the contract, naming it', async () => {
    expect(await dispatch(handlers({}), 'fs:read', {})).toEqual({
      ok: false,
      error: { code: 'unknown_channel', message: '"fs:read" is not a channel of the app API.' },
    });
    expect((await dispatch(handlers({}), 'toString', {})).ok).toBe(false);
  });

  it('parses input before the handler runs: a bad field is bad_input naming it, and the handler never runs', async () => {
    let ran = false;
    const h = handlers({ 'tasks:get': () => ((ran = true), Promise.reject(new Error('unreachable'))) });
    const r = await dispatch(h, 'tasks:get', { id: 'not-a-uuid' });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(!r.ok && r.error.message).toMatch(/^tasks:get: id: /);
    expect((await dispatch(h, 'tasks:get', { id: TASK, extra: 1 })).ok).toBe(false);
    expect(ran).toBe(false);
  });

  it('hands the handler parsed input with defaults filled in', async () => {
    let seen: unknown;
    const h = handlers({ 'tasks:mine': (input) => ((seen = input), []) });
    expect(await dispatch(h, 'tasks:mine', undefined)).toEqual({ ok: true, value: [] });
    expect(seen).toEqual({ includeClosed: false });
  });

  it('turns an ApiError into its code, and anything else through describeError', async () => {
    const h = handlers({
      'sync:retry': () => {
        throw new ApiError('signed_out', 'Sign in first.');
      },
      'sync:status': () => {
        throw new RangeError('boom');
      },
    });
    expect(await dispatch(h, 'sync:retry', {})).toEqual({
      ok: false,
      error: { code: 'signed_out', message: 'Sign in first.' },
    });
    expect(await dispatch(h, 'sync:status', {}, (e) => ({ code: 'invalid', message: String(e) }))).toEqual({
      ok: false,
      error: { code: 'invalid', message: 'RangeError: boom' },
    });
  });
});

describe('createAppApi', () => {
  const transport = (answer: unknown, emitted: Array<[string, unknown]> = []): Transport => ({
    invoke: () => Promise.resolve(answer),
    subscribe: (listener) => {
      for (const [e, p] of emitted) listener(e, p);
      return () => {};
    },
  });

  it('resolves with the value, rejects with an ApiError carrying the code', async () => {
    expect(await createAppApi(transport({ ok: true, value: null })).invoke('sync:retry', {})).toBeNull();
    const failed = createAppApi(transport({ ok: false, error: { code: 'unreachable', message: 'No network.' } }));
    await expect(failed.invoke('sync:retry', {})).rejects.toMatchObject({
      code: 'unreachable',
      message: 'No network.',
    });
  });

  it('a malformed answer is an internal error, not a value', async () => {
    await expect(createAppApi(transport({ value: 1 })).invoke('sync:retry', {})).rejects.toMatchObject({
      code: 'internal',
    });
  });

  it('delivers only the events a listener asked for, and ignores names outside the contract', () => {
    const got: unknown[] = [];
    createAppApi(
      transport(null, [
        ['replica:changed', { tables: ['tasks'] }],
        ['evil:event', {}],
        ['settings:changed', { serverUrl: null, theme: 'dark' }],
        ['replica:changed', { tables: 'not-a-list' }],
      ]),
    ).on('replica:changed', (p) => got.push(p));
    expect(got).toEqual([{ tables: ['tasks'] }]);
  });
});

describe('contract', () => {
  it('every channel and event name is namespaced', () => {
    for (const name of [...Object.keys(channels), ...Object.keys(events)]) expect(name).toMatch(/^[a-z-]+:[a-z-]+$/);
  });
});

describe('task status rules', () => {
  it('a technician works the task; a dispatcher may also re-plan it', () => {
    expect(nextStatuses('open', 'technician')).toEqual(['in_progress']);
    expect(nextStatuses('in_progress', 'technician')).toEqual(['blocked', 'done']);
    expect(nextStatuses('done', 'technician')).toEqual([]);
    expect(nextStatuses('open', 'dispatcher')).toEqual(['in_progress', 'scheduled', 'cancelled']);
    expect(nextStatuses('done', 'admin')).toEqual(['in_progress']);
  });

  it('overdue: due in the past and not closed', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    expect(isOverdue({ status: 'open', dueAt: '2026-06-01T11:59:00Z' }, now)).toBe(true);
    expect(isOverdue({ status: 'done', dueAt: '2026-05-01T00:00:00Z' }, now)).toBe(false);
    expect(isOverdue({ status: 'open', dueAt: null }, now)).toBe(false);
    expect(isOverdue({ status: 'blocked', dueAt: '2026-06-02T00:00:00Z' }, now)).toBe(false);
  });
});

describe('names', () => {
  it('the preload’s name lists are exactly the contract’s channels and events', () => {
    expect([...CHANNEL_NAMES].sort()).toEqual(Object.keys(channels).sort());
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(events).sort());
    expect(isChannel('tasks:get')).toBe(true);
    expect(isChannel('__proto__')).toBe(false);
    expect(isEventName('constructor')).toBe(false);
  });
});
