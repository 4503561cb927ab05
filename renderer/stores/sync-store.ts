/** The sync overview (header indicator, sync centre, test hooks), kept current from `sync:status-changed`. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppApi } from '../../shared/api/contract.js';
import type { SyncOverview } from '../../shared/api/views.js';

export type SyncStore = {
  overview: SyncOverview | null;
  /** Asks the engine to try the network now; rejects with the ApiError. */
  retry(): Promise<void>;
};

export function createSyncStore(api: AppApi): { store: StoreApi<SyncStore>; dispose: () => void } {
  const store = createStore<SyncStore>()(() => ({
    overview: null,
    async retry() {
      await api.invoke('sync:retry', {});
    },
  }));
  const load = () =>
    api.invoke('sync:status', {}).then(
      (overview) => store.setState({ overview }),
      () => {}, // signed out or not ready: the next sync:status-changed fills it in
    );
  const offStatus = api.on('sync:status-changed', (overview) => store.setState({ overview }));
  // A new session starts a new engine; ask once rather than wait for its first report.
  const offSession = api.on('session:changed', () => void load());
  void load();
  return {
    store,
    dispose: () => {
      offStatus();
      offSession();
    },
  };
}
