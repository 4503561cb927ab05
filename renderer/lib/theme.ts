/** The theme on <html data-theme>, following settings.theme; 'system' follows prefers-color-scheme live. */
import type { StoreApi } from 'zustand/vanilla';
import type { SettingsStore, Theme } from '../stores/settings-store.js';

export const resolveTheme = (theme: Theme, systemDark: boolean): 'light' | 'dark' =>
  theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;

export function installTheme(win: Window, settings: StoreApi<SettingsStore>): () => void {
  const query = win.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => {
    const theme = settings.getState().settings?.theme ?? 'system';
    win.document.documentElement.dataset.theme = resolveTheme(theme, query.matches);
  };
  apply();
  query.addEventListener('change', apply);
  const off = settings.subscribe(apply);
  return () => {
    query.removeEventListener('change', apply);
    off();
  };
}
