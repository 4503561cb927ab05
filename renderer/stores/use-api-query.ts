/**
 * One read of the app API, kept fresh without polling: it re-runs when `replica:changed` names one
 * of `tables` (or, with 'any', on every change) and when `refreshKey` changes. Calls never overlap;
 * a change during a call runs one more afterwards. The last good data stays on screen while a
 * refresh runs, but never outlives a change of input (a different task is never shown as this one).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/api/contract.js';
import { useApi } from '../api/app-context.js';

export type QueryState<T> = {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
};

type Internal<T> = { key: string; data: T | undefined; error: unknown; loading: boolean };

export function useApiQuery<C extends Channel>(
  channel: C,
  input: ChannelInput<C>,
  tables: readonly string[] | 'any',
  options: { enabled?: boolean; refreshKey?: unknown } = {},
): QueryState<ChannelOutput<C>> {
  const api = useApi();
  const enabled = options.enabled ?? true;
  const key = `${channel} ${JSON.stringify(input)}`;
  const tableKey = tables === 'any' ? 'any' : tables.join(',');
  const [state, setState] = useState<Internal<ChannelOutput<C>>>({
    key,
    data: undefined,
    error: null,
    loading: true,
  });
  const runRef = useRef<() => void>(() => {});

  // Keyed on the input's JSON (not its identity), so callers may pass a fresh literal every render;
  // the `input` this effect closes over is the one its key was computed from.
  useEffect(() => {
    if (!enabled) return;
    let disposed = false;
    let running = false;
    let again = false;
    const watched = tableKey === 'any' ? null : new Set(tableKey.split(','));
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      setState((s) => (s.key === key ? { ...s, loading: true } : { key, data: undefined, error: null, loading: true }));
      try {
        const data = await api.invoke(channel, input);
        if (!disposed) setState({ key, data, error: null, loading: false });
      } catch (error) {
        if (!disposed) setState((s) => ({ ...s, key, error, loading: false }));
      } finally {
        running = false;
        if (again && !disposed) {
          again = false;
          void run();
        }
      }
    };
    runRef.current = () => void run();
    void run();
    const off = api.on('replica:changed', ({ tables: changed }) => {
      if (!watched || changed.some((t) => watched.has(t))) void run();
    });
    return () => {
      disposed = true;
      off();
    };
  }, [api, channel, key, tableKey, enabled, options.refreshKey]);

  const reload = useCallback(() => runRef.current(), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : null,
    loading: !current || state.loading,
    reload,
  };
}
