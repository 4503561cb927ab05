/** The app's sections; a property belongs to Properties, a task to My work. */
import { useNav, useSync } from '../api/app-context.js';
import { inboxCounts } from '../lib/inbox.js';
import type { Route } from '../stores/routes.js';
import { RouteLink } from './RouteLink.js';

type Item = { label: string; to: Route; matches: (r: Route) => boolean };

const ITEMS: Item[] = [
  { label: 'My work', to: { screen: 'my-work' }, matches: (r) => r.screen === 'my-work' || r.screen === 'task' },
  {
    label: 'Properties',
    to: { screen: 'properties' },
    matches: (r) => r.screen === 'properties' || r.screen === 'property',
  },
  { label: 'Devices', to: { screen: 'devices' }, matches: (r) => r.screen === 'devices' },
  { label: 'Sync centre', to: { screen: 'sync' }, matches: (r) => r.screen === 'sync' },
  { label: 'Settings', to: { screen: 'settings' }, matches: (r) => r.screen === 'settings' },
];

export function MainNav() {
  const route = useNav((s) => s.route);
  const attention = useSync((s) => (s.overview ? inboxCounts(s.overview.outbox).total : 0));
  return (
    <nav className="main-nav" aria-label="Main">
      <ul>
        {ITEMS.map((item) => (
          <li key={item.label}>
            <RouteLink to={item.to} aria-current={item.matches(route) ? 'page' : undefined}>
              {item.label}
              {item.to.screen === 'sync' && attention > 0 && (
                <span className="nav-count" title="Inbox entries to review">
                  {attention}
                </span>
              )}
            </RouteLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
