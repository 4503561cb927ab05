/**
 * The Devices table's rows, fetched in windows (pages of devices:query) as the person scrolls, so a
 * 75k-device inventory never crosses the bridge whole. Pure (the fetch is passed in), so the rules
 * are tested without a screen:
 *  - a new query starts a new generation: answers to an older one are dropped (stale search results
 *    never land), and its pages are forgotten;
 *  - a page is fetched once per freshness epoch; `refresh()` (the replica changed) starts an epoch:
 *    rows already shown stay on screen until their re-read lands (no flicker, scroll kept), pages
 *    in view are re-read, pages out of view are dropped;
 *  - at most `maxPages` pages are kept; the ones farthest from the view go first.
 */
import type { DeviceFilter } from '../../shared/api/contract.js';
import type { Device } from '../../shared/api/views.js';

export type DevicePage = { total: number; rows: Device[] };
export type PageFetcher = (query: DeviceFilter, offset: number, limit: number) => Promise<DevicePage>;

export type WindowsSnapshot = {
  /** The query the rows and total belong to (deviceQueryKey); null before the first setQuery. */
  key: string | null;
  /** Matching devices; null until the first answer for this query. */
  total: number | null;
  /** Every page in view is loaded and fresh: what the screen's test hooks publish. */
  settled: boolean;
  error: unknown;
  /** Changes whenever anything above or any row changes, for React to re-render on. */
  version: number;
};

export type DeviceWindows = {
  setQuery(query: DeviceFilter, key: string): void;
  /** The row indexes in view (inclusive start, exclusive end), overscan included. */
  setRange(start: number, end: number): void;
  refresh(): void;
  rowAt(index: number): Device | undefined;
  getSnapshot(): WindowsSnapshot;
  subscribe(listener: () => void): () => void;
};

type Page = { rows: Device[]; epoch: number };

export function createDeviceWindows(
  fetchPage: PageFetcher,
  { pageSize = 100, maxPages = 30 }: { pageSize?: number; maxPages?: number } = {},
): DeviceWindows {
  let query: DeviceFilter | null = null;
  let generation = 0;
  let epoch = 0;
  let pages = new Map<number, Page>();
  let inflight = new Map<number, number>(); // page → epoch it was asked for
  let range = { start: 0, end: pageSize };
  let snapshot: WindowsSnapshot = { key: null, total: null, settled: false, error: null, version: 0 };
  let totalEpoch = -1;
  const listeners = new Set<() => void>();

  const pagesInView = (): number[] => {
    const last = snapshot.total === null ? range.start : Math.min(range.end, snapshot.total);
    const first = Math.floor(range.start / pageSize);
    const end = Math.max(first, Math.ceil(last / pageSize) - 1);
    const out: number[] = [];
    for (let p = first; p <= end; p++) out.push(p);
    return out;
  };

  const isSettled = () =>
    snapshot.total !== null &&
    pagesInView().every((p) => p * pageSize >= snapshot.total! || pages.get(p)?.epoch === epoch);

  const publish = (patch: Partial<WindowsSnapshot> = {}) => {
    snapshot = { ...snapshot, ...patch };
    snapshot = { ...snapshot, settled: isSettled(), version: snapshot.version + 1 };
    for (const l of [...listeners]) l();
  };

  const evict = () => {
    if (pages.size <= maxPages) return;
    const centre = (range.start + range.end) / 2 / pageSize;
    const far = [...pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const p of far.slice(0, pages.size - maxPages)) pages.delete(p);
  };

  const load = (page: number) => {
    if (!query) return;
    const asked = { generation, epoch };
    inflight.set(page, epoch);
    fetchPage(query, page * pageSize, pageSize).then(
      (answer) => {
        if (asked.generation !== generation) return; // an older search: never shown
        if (inflight.get(page) === asked.epoch) inflight.delete(page);
        // A re-read that started before a newer one must not undo it.
        const held = pages.get(page);
        if (!held || held.epoch <= asked.epoch) pages.set(page, { rows: answer.rows, epoch: asked.epoch });
        const total = asked.epoch >= totalEpoch ? answer.total : snapshot.total;
        totalEpoch = Math.max(totalEpoch, asked.epoch);
        evict();
        publish({ total, error: null });
        ensure();
      },
      (error: unknown) => {
        if (asked.generation !== generation) return;
        if (inflight.get(page) === asked.epoch) inflight.delete(page);
        publish({ error });
      },
    );
  };

  /** Asks for every page in view that is missing or older than the current epoch, once. */
  function ensure() {
    if (!query) return;
    for (const p of pagesInView()) {
      if (snapshot.total !== null && p * pageSize >= snapshot.total && p > 0) continue;
      const have = pages.get(p);
      if ((!have || have.epoch < epoch) && inflight.get(p) !== epoch) load(p);
    }
  }

  return {
    setQuery(next, key) {
      query = next;
      generation++;
      pages = new Map();
      inflight = new Map();
      totalEpoch = -1;
      range = { start: 0, end: Math.max(pageSize, range.end - range.start) };
      publish({ key, total: null, error: null });
      ensure();
    },
    setRange(start, end) {
      if (start === range.start && end === range.end) return;
      range = { start: Math.max(0, start), end: Math.max(start, end) };
      ensure();
      const settled = isSettled();
      if (settled !== snapshot.settled) publish();
    },
    refresh() {
      if (!query) return;
      epoch++;
      const inView = new Set(pagesInView());
      for (const p of [...pages.keys()]) if (!inView.has(p)) pages.delete(p);
      publish({ error: null });
      ensure();
    },
    rowAt(index) {
      return pages.get(Math.floor(index / pageSize))?.rows[index % pageSize];
    },
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
