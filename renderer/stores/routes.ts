/**
 * Where the app is, as a small typed value and as the URL hash (so a reload keeps the place).
 * Properties and devices join this union with their issue.
 */
export type Route = { screen: 'my-work' } | { screen: 'task'; id: string } | { screen: 'sync' };

export const HOME: Route = { screen: 'my-work' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Unknown or malformed hashes land on My work rather than on an error page. */
export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [screen, id] = parts;
  if (screen === 'sync' && parts.length === 1) return { screen: 'sync' };
  if (screen === 'task' && id && UUID.test(id) && parts.length === 2) return { screen: 'task', id };
  return HOME;
}

export function formatHash(route: Route): string {
  switch (route.screen) {
    case 'my-work':
      return '#/';
    case 'task':
      return `#/task/${encodeURIComponent(route.id)}`;
    case 'sync':
      return '#/sync';
  }
}

export const sameRoute = (a: Route, b: Route): boolean => formatHash(a) === formatHash(b);
