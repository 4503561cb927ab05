/** The theme the page shows (<html data-theme>, set by lib/theme.ts), for what cannot read CSS variables (the map's canvas). */
import { useSyncExternalStore } from 'react';

const read = (): 'light' | 'dark' => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}

export const useResolvedTheme = (): 'light' | 'dark' => useSyncExternalStore(subscribe, read);
