/**
 * Hooks that let Playwright wait on the app instead of sleeping:
 *  - every API event is re-dispatched on `window` as CustomEvent `fieldline:<event>` (detail = payload);
 *  - <html> carries data-session, data-sync-state, data-sync-idle and data-outbox-queued.
 * Installed after the stores subscribe, so by the time a test sees an event the stores have it too.
 */
import { events, type AppApi, type EventName } from '../../shared/api/contract.js';
import type { AppStores } from '../stores/app-stores.js';

export function installTestHooks(win: Window, api: AppApi, stores: AppStores): () => void {
  const root = win.document.documentElement;
  const offs = (Object.keys(events) as EventName[]).map((name) =>
    api.on(name, (payload) => win.dispatchEvent(new CustomEvent(`fieldline:${name}`, { detail: payload }))),
  );

  const showSession = () => {
    const session = stores.session.getState().session;
    if (session) root.dataset.session = session.status;
  };
  const showSync = () => {
    const overview = stores.sync.getState().overview;
    if (!overview) return;
    root.dataset.syncState = overview.state;
    root.dataset.syncIdle = String(overview.idle);
    root.dataset.outboxQueued = String(overview.outbox.queued);
  };
  showSession();
  showSync();
  offs.push(stores.session.subscribe(showSession), stores.sync.subscribe(showSync));
  return () => offs.forEach((off) => off());
}
