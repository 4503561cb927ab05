import { describe, expect, it } from 'vitest';
import type { AppApi, EventName } from '../../shared/api/contract.js';
import { createAppStores } from './app-stores.js';

/** An AppApi whose events the test sends; calls never answer (the stores under test do not need them). */
function fakeApi() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const api = {
    invoke: () => new Promise(() => {}),
    on: (event: EventName, listener: (payload: never) => void) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  } as unknown as AppApi;
  const emit = (event: EventName, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { api, emit, listening: (event: EventName) => listeners.get(event)?.size ?? 0 };
}

/** Just enough of a window for the nav store: a hash, a history, listeners. */
function fakeWindow() {
  const win = {
    location: { hash: '' },
    history: {
      state: null as unknown,
      pushState(state: unknown, _title: string, hash: string) {
        win.history.state = state;
        win.location.hash = hash;
      },
      replaceState(state: unknown, _title: string, hash: string) {
        win.history.state = state;
        win.location.hash = hash;
      },
      back() {},
    },
    addEventListener() {},
    removeEventListener() {},
  };
  return win as unknown as Window;
}

describe('app:navigate', () => {
  it('shows the screen the application menu asks for, and stops listening on dispose', () => {
    const { api, emit, listening } = fakeApi();
    const win = fakeWindow();
    const { stores, dispose } = createAppStores(api, win);
    emit('app:navigate', { to: 'devices' });
    expect(stores.nav.getState().route).toEqual({ screen: 'devices' });
    expect(win.location.hash).toBe('#/devices');
    emit('app:navigate', { to: 'settings' });
    expect(stores.nav.getState().route).toEqual({ screen: 'settings' });
    emit('app:navigate', { to: 'my-work' });
    expect(stores.nav.getState().route).toEqual({ screen: 'my-work' });
    expect(stores.nav.getState().depth).toBe(3);
    dispose();
    expect(listening('app:navigate')).toBe(0);
  });
});
