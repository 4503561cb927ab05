/**
 * The Devices table's data: one DeviceWindows (lib/device-windows.ts) per screen over devices:query,
 * told the query whenever its key changes, and refreshed when `replica:changed` names a table its
 * rows show, at most every REFRESH_GAP_MS during a burst (the first sync commits batch after batch).
 */
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { DeviceFilter } from '../../shared/api/contract.js';
import { useApi } from '../api/app-context.js';
import { createDeviceWindows, type DeviceWindows, type WindowsSnapshot } from '../lib/device-windows.js';

/** A device row shows its type's, site's and account's names too. */
const DEVICE_ROW_TABLES = new Set(['devices', 'device_types', 'properties', 'accounts']);
const REFRESH_GAP_MS = 250;
export const DEVICE_PAGE_SIZE = 100;

export function useDeviceWindows(
  query: DeviceFilter,
  key: string,
): { windows: DeviceWindows; snapshot: WindowsSnapshot } {
  const api = useApi();
  const windows = useMemo(
    () =>
      createDeviceWindows((q, offset, limit) => api.invoke('devices:query', { ...q, offset, limit }), {
        pageSize: DEVICE_PAGE_SIZE,
      }),
    [api],
  );

  // Keyed on the query's key (equal views, equal keys), so a new object with the same view asks nothing.
  useEffect(() => windows.setQuery(query, key), [windows, key]);

  useEffect(() => {
    let last = 0;
    let timer: number | null = null;
    const refresh = () => {
      timer = null;
      last = performance.now();
      windows.refresh();
    };
    const off = api.on('replica:changed', ({ tables }) => {
      if (!tables.some((t) => DEVICE_ROW_TABLES.has(t)) || timer !== null) return;
      const wait = last + REFRESH_GAP_MS - performance.now();
      if (wait <= 0) refresh();
      else timer = window.setTimeout(refresh, wait);
    });
    return () => {
      off();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [api, windows]);

  const snapshot = useSyncExternalStore(windows.subscribe, windows.getSnapshot);
  return { windows, snapshot };
}
