/**
 * Where the app is, as a small typed value and as the URL hash (so a reload keeps the place).
 * Screens main may ask for by name (the menu's `app:navigate`) map onto routes here too.
 */
import type { AppScreen } from '../../shared/api/contract.js';

export type Route =
  | { screen: 'my-work' }
  | { screen: 'task'; id: string }
  | { screen: 'properties' }
  | { screen: 'property'; id: string }
  | { screen: 'devices' }
  | { screen: 'sync' }
  | { screen: 'settings' };

export const HOME: Route = { screen: 'my-work' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Screens without an id: the hash is just their name. */
const PLAIN = ['properties', 'devices', 'sync', 'settings'] as const;
type PlainScreen = (typeof PLAIN)[number];
const isPlain = (s: string | undefined): s is PlainScreen => (PLAIN as readonly string[]).includes(s ?? '');

/** Unknown or malformed hashes land on My work rather than on an error page. */
export function parseHash(hash: string): Route {
  let parts: string[];
  try {
    parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return HOME; // a malformed %-escape
  }
  const [screen, id] = parts;
  if (isPlain(screen) && parts.length === 1) return { screen };
  if ((screen === 'task' || screen === 'property') && id && UUID.test(id) && parts.length === 2) return { screen, id };
  return HOME;
}

export function formatHash(route: Route): string {
  switch (route.screen) {
    case 'my-work':
      return '#/';
    case 'task':
    case 'property':
      return `#/${route.screen}/${encodeURIComponent(route.id)}`;
    default:
      return `#/${route.screen}`;
  }
}

export const sameRoute = (a: Route, b: Route): boolean => formatHash(a) === formatHash(b);

/** The route for a screen main names in `app:navigate`. */
export const routeForAppScreen = (to: AppScreen): Route => (to === 'my-work' ? HOME : { screen: to });
