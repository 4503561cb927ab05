/**
 * Navigation: the current route, mirrored in the URL hash, with in-app back. Each in-app step
 * records its depth in history.state, so Back knows whether the previous entry is still ours
 * (after a reload on a task, Back goes to My work instead of leaving the app).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { formatHash, HOME, parseHash, sameRoute, type Route } from './routes.js';

export type NavStore = {
  route: Route;
  /** How many in-app steps Back can undo. */
  depth: number;
  /** The list row to focus again when its screen comes back (e.g. the task just opened from My work). */
  returnFocus: string | null;
  navigate(route: Route): void;
  back(): void;
  setReturnFocus(id: string | null): void;
};

const depthOf = (state: unknown): number =>
  typeof (state as { depth?: unknown } | null)?.depth === 'number' ? (state as { depth: number }).depth : 0;

export function createNavStore(win: Window): { store: StoreApi<NavStore>; dispose: () => void } {
  const store = createStore<NavStore>()((set, get) => ({
    route: parseHash(win.location.hash),
    depth: depthOf(win.history.state),
    returnFocus: null,
    setReturnFocus: (returnFocus) => set({ returnFocus }),
    navigate(route) {
      if (sameRoute(route, get().route)) return;
      const depth = get().depth + 1;
      win.history.pushState({ depth }, '', formatHash(route));
      set({ route, depth });
    },
    back() {
      if (get().depth > 0) {
        win.history.back(); // popstate brings the route in
        return;
      }
      win.history.replaceState({ depth: 0 }, '', formatHash(HOME));
      set({ route: HOME, depth: 0 });
    },
  }));
  // Browser back/forward and hand-typed hashes.
  const sync = () => {
    const route = parseHash(win.location.hash);
    const depth = depthOf(win.history.state);
    const s = store.getState();
    if (!sameRoute(route, s.route) || depth !== s.depth) store.setState({ route, depth });
  };
  win.addEventListener('popstate', sync);
  win.addEventListener('hashchange', sync);
  return {
    store,
    dispose: () => {
      win.removeEventListener('popstate', sync);
      win.removeEventListener('hashchange', sync);
    },
  };
}
