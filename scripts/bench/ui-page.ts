/**
 * What bench:ui runs inside the page. Playwright sends each function's source to the page, so each
 * uses only its arguments and the page's globals (typed here by hand: scripts compile without the
 * DOM lib), never a closure. tsx wraps inner functions in `__name()`: PAGE_PRELUDE defines it there.
 * Times are the page's performance.now(), so Playwright's round trips are never in them.
 */
import type { ChannelInput } from '../../shared/api/contract.js';

/** Registered with addInitScript before any other script of the page. */
export const PAGE_PRELUDE = 'globalThis.__name = (f) => f;';

/** The Devices screen's root element, which carries its test hooks (renderer/README.md). */
export const DEVICES_SECTION = 'section.devices-screen';

type PageEl = {
  dataset: Record<string, string | undefined>;
  value?: string;
  querySelector(selector: string): PageEl | null;
  getAttribute(name: string): string | null;
  click(): void;
};
export type BridgeCall = { channel: string; input: unknown };
type Tracker = { inFlight: number; lastDone: number; calls: BridgeCall[] };
type PageWindow = {
  document: PageEl & {
    body: PageEl;
    documentElement: PageEl;
    addEventListener(type: string, cb: (e: { target: PageEl }) => void, capture: boolean): void;
    removeEventListener(type: string, cb: (e: { target: PageEl }) => void, capture: boolean): void;
  };
  location: { hash: string };
  MutationObserver: new (cb: () => void) => { observe(el: PageEl, o: object): void; disconnect(): void };
  requestAnimationFrame(cb: () => void): number;
  setTimeout(cb: () => void, ms: number): number;
  clearTimeout(handle: number): void;
  performance: { now(): number };
  fetch: typeof fetch;
  __bench: Tracker;
  __benchSearch?: Promise<{ ms: number; total: number }>;
};

/** Counts the app's bridge calls (to start each run on a quiet bridge) and records them. */
export function installTracker(invokePath: string): void {
  const w = globalThis as unknown as PageWindow;
  const original = w.fetch.bind(w);
  const tracker: Tracker = { inFlight: 0, lastDone: 0, calls: [] };
  w.__bench = tracker;
  w.fetch = (input, init) => {
    if (String(input) !== invokePath) return original(input, init);
    try {
      if (tracker.calls.length < 1000) tracker.calls.push(JSON.parse(String(init?.body)) as BridgeCall);
    } catch {
      // Not a body the bench understands: the call still goes out, and still counts as in flight.
    }
    tracker.inFlight++;
    return original(input, init).finally(() => {
      tracker.inFlight--;
      tracker.lastDone = w.performance.now();
    });
  };
}

/** Clicks the Devices link; ms until the section is settled with a device row in the DOM, and until the next frame. */
export function visitDevices({ section, timeoutMs }: { section: string; timeoutMs: number }) {
  return new Promise<{ dom: number; frame: number }>((resolve, reject) => {
    const w = globalThis as unknown as PageWindow;
    const link = w.document.querySelector('nav[aria-label="Main"] a[href="#/devices"]');
    if (!link) return reject(new Error('no Devices link in the main nav'));
    const observer = new w.MutationObserver(() => {
      const s = w.document.querySelector(section);
      if (!s || s.dataset.devicesLoading !== 'false' || s.dataset.devicesTotal === undefined) return;
      if (!s.querySelector('[role="row"][data-device-id]')) return;
      const dom = w.performance.now() - t0;
      observer.disconnect();
      w.clearTimeout(timer);
      // The next frame's callbacks run just before it is drawn: roughly when the rows are first painted.
      w.requestAnimationFrame(() => resolve({ dom, frame: w.performance.now() - t0 }));
    });
    observer.observe(w.document.body, { subtree: true, childList: true, attributes: true });
    const timer = w.setTimeout(() => {
      observer.disconnect();
      reject(new Error(`the Devices screen did not settle within ${timeoutMs} ms`));
    }, timeoutMs);
    const t0 = w.performance.now();
    link.click();
  });
}

/** Arms the timer for one search: from the input event carrying `term` until the section shows `key` settled. */
export function armSearch({
  term,
  key,
  section,
  timeoutMs,
}: {
  term: string;
  key: string;
  section: string;
  timeoutMs: number;
}) {
  const w = globalThis as unknown as PageWindow;
  const d = w.document;
  w.__benchSearch = new Promise((resolve, reject) => {
    let t0: number | undefined;
    const onInput = (e: { target: PageEl }) => {
      if (e.target.value === term) t0 = w.performance.now();
    };
    const observer = new w.MutationObserver(() => {
      const s = d.querySelector(section);
      if (t0 === undefined || !s || s.dataset.devicesLoading !== 'false') return;
      if (!s.dataset.devicesQuery?.startsWith(key)) return;
      const took = w.performance.now() - t0;
      done();
      resolve({ ms: took, total: Number(s.dataset.devicesTotal) });
    });
    const done = () => {
      observer.disconnect();
      d.removeEventListener('input', onInput, true);
      w.clearTimeout(timer);
    };
    const timer = w.setTimeout(() => {
      const s = d.querySelector(section);
      done();
      reject(new Error(`no ${key} within ${timeoutMs} ms (shown: ${s?.dataset.devicesQuery})`));
    }, timeoutMs);
    d.addEventListener('input', onInput, true);
    observer.observe(d.body, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-devices-query', 'data-devices-loading'],
    });
  });
}

/** One bare devices:query through the bridge, as the renderer's transport sends it (no validation, no React). */
export async function rawQuery({ invokePath, input }: { invokePath: string; input: ChannelInput<'devices:query'> }) {
  const w = globalThis as unknown as PageWindow;
  const token = w.document.querySelector('meta[name="fieldline-bridge-token"]')?.getAttribute('content') ?? '';
  const t0 = w.performance.now();
  const res = await w.fetch(invokePath, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel: 'devices:query', input }),
  });
  const body = (await res.json()) as { ok: boolean; value?: { total: number; rows: unknown[] }; error?: unknown };
  const took = w.performance.now() - t0;
  if (!body.ok || !body.value) throw new Error(`devices:query failed: ${JSON.stringify(body.error)}`);
  return { ms: took, total: body.value.total, rows: body.value.rows.length };
}

export const syncIdle = () =>
  (globalThis as unknown as PageWindow).document.documentElement.dataset.syncIdle === 'true';

export const goToMyWork = () => void ((globalThis as unknown as PageWindow).location.hash = '#/');

/** No bridge call in flight, and none ended in the last `quietMs`. */
export function bridgeQuiet(quietMs: number): boolean {
  const w = globalThis as unknown as PageWindow;
  return w.__bench.inFlight === 0 && w.performance.now() - w.__bench.lastDone >= quietMs;
}

/** The bridge calls the app made since the last call of this function. */
export const takeCalls = (): BridgeCall[] => (globalThis as unknown as PageWindow).__bench.calls.splice(0);

/** The result of the search armSearch() timed. */
export const searchResult = () => (globalThis as unknown as PageWindow).__benchSearch!;
