/**
 * Waiting on the app's own signals instead of sleeping: the renderer mirrors session and sync state
 * on <html data-…> and re-dispatches every app event as a `fieldline:<event>` window event, which
 * recordEvents() keeps for the test to inspect.
 */
import type { Page } from '@playwright/test';

const LONG = { timeout: 120_000 };

export const waitForSession = (page: Page, state: 'signed-in' | 'signed-out') =>
  page.waitForFunction((s) => document.documentElement.dataset.session === s, state, LONG);

export const waitForSyncState = (page: Page, state: string) =>
  page.waitForFunction((s) => document.documentElement.dataset.syncState === s, state, LONG);

/** Every table live and nothing queued or awaiting confirmation. */
export const waitForSyncIdle = (page: Page) =>
  page.waitForFunction(() => document.documentElement.dataset.syncIdle === 'true', null, LONG);

export const waitForQueued = (page: Page, atLeast: number) =>
  page.waitForFunction((n) => Number(document.documentElement.dataset.outboxQueued ?? '0') >= n, atLeast, LONG);

type Recorded = { event: string; detail: unknown };

/** From the next page load on, keeps every `fieldline:*` event's name and payload. */
export async function recordEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: Recorded[] = [];
    (window as unknown as { __fieldlineEvents: Recorded[] }).__fieldlineEvents = seen;
    for (const name of ['sync:status-changed', 'replica:changed', 'session:changed'])
      window.addEventListener(`fieldline:${name}`, (e) =>
        seen.push({ event: name, detail: (e as CustomEvent).detail }),
      );
    // The determinate progress bars the page actually drew, as a person would have seen them.
    const bars: DrawnBar[] = [];
    (window as unknown as { __fieldlineBars: DrawnBar[] }).__fieldlineBars = bars;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[role="progressbar"][aria-valuemax]'))
        bars.push({
          label: el.getAttribute('aria-label'),
          now: Number(el.getAttribute('aria-valuenow')),
          max: Number(el.getAttribute('aria-valuemax')),
        });
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
}

type DrawnBar = { label: string | null; now: number; max: number };

/** Every determinate progress bar state the page showed since it loaded. */
export const drawnProgressBars = (page: Page): Promise<DrawnBar[]> =>
  page.evaluate(() => (window as unknown as { __fieldlineBars: DrawnBar[] }).__fieldlineBars);

export const recordedEvents = (page: Page, event: string): Promise<unknown[]> =>
  page.evaluate(
    (name) =>
      (window as unknown as { __fieldlineEvents: Recorded[] }).__fieldlineEvents
        .filter((e) => e.event === name)
        .map((e) => e.detail),
    event,
  );
