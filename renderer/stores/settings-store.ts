/** App settings (server address, theme), kept current from `settings:changed`. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppApi } from '../../shared/api/contract.js';
import type { Settings } from '../../shared/api/views.js';

export type Theme = Settings['theme'];

export type SettingsStore = {
  settings: Settings | null;
  /** Applies at once and saves; a failed save puts the previous theme back. */
  setTheme(theme: Theme): Promise<void>;
};

export function createSettingsStore(api: AppApi): { store: StoreApi<SettingsStore>; dispose: () => void } {
  const store = createStore<SettingsStore>()((set, get) => ({
    settings: null,
    async setTheme(theme) {
      const before = get().settings;
      if (before) set({ settings: { ...before, theme } });
      try {
        set({ settings: await api.invoke('settings:update', { theme }) });
      } catch (e) {
        set({ settings: before });
        throw e;
      }
    },
  }));
  const off = api.on('settings:changed', (settings) => store.setState({ settings }));
  api.invoke('settings:get', {}).then(
    (settings) => store.setState((s) => (s.settings ? {} : { settings })),
    () => {}, // the theme falls back to the system's until settings arrive
  );
  return { store, dispose: off };
}
