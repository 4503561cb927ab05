/** Every app-wide store, created once in main.tsx for one AppApi and handed down by context. */
import type { StoreApi } from 'zustand/vanilla';
import type { AppApi } from '../../shared/api/contract.js';
import { createNavStore, type NavStore } from './nav-store.js';
import { routeForAppScreen } from './routes.js';
import { createSessionStore, type SessionStore } from './session-store.js';
import { createSettingsStore, type SettingsStore } from './settings-store.js';
import { createSyncStore, type SyncStore } from './sync-store.js';
import { createViewStore, type ViewStore } from './view-store.js';

export type AppStores = {
  session: StoreApi<SessionStore>;
  sync: StoreApi<SyncStore>;
  settings: StoreApi<SettingsStore>;
  nav: StoreApi<NavStore>;
  views: StoreApi<ViewStore>;
};

export function createAppStores(api: AppApi, win: Window): { stores: AppStores; dispose: () => void } {
  const session = createSessionStore(api);
  const sync = createSyncStore(api);
  const settings = createSettingsStore(api);
  const nav = createNavStore(win);
  const views = createViewStore();
  // The application menu's Go items (and Settings…) arrive as app:navigate.
  const offNavigate = api.on('app:navigate', ({ to }) => nav.store.getState().navigate(routeForAppScreen(to)));
  return {
    stores: { session: session.store, sync: sync.store, settings: settings.store, nav: nav.store, views: views.store },
    dispose: () => {
      offNavigate();
      [session, sync, settings, nav, views].forEach((s) => s.dispose());
    },
  };
}
