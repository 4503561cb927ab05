/**
 * The connection as a person should read it. `starting` is not offline: the engine has not heard
 * from the server yet either way, so it reads "Connecting" rather than alarming anyone.
 */
import type { SyncOverview } from '../../shared/api/views.js';

export type Connection = 'online' | 'offline' | 'connecting';

export const connectionOf = (o: Pick<SyncOverview, 'online' | 'state'>): Connection =>
  o.state === 'starting' ? 'connecting' : o.online ? 'online' : 'offline';

export const CONNECTION_LABEL: Record<Connection, string> = {
  online: 'Online',
  offline: 'Offline',
  connecting: 'Connecting…',
};
