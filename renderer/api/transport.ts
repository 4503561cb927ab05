/**
 * Picks how the renderer reaches the app: Electron's preload bridge (`window.fieldline`, exactly the
 * Transport of shared/api/client.ts) when it is there, otherwise the browser-mode localhost bridge,
 * authenticated by the token the bridge wrote into the page.
 */
import type { Transport } from '../../shared/api/client.js';
import { BRIDGE_TOKEN_META } from './bridge-protocol.js';
import { bridgeEnvFrom, createBridgeTransport } from './bridge-transport.js';

declare global {
  // Declaration merging needs an interface here; the preload defines this property.
  interface Window {
    fieldline?: Transport;
  }
}

export type TransportMode = 'ipc' | 'bridge';

const isTransport = (value: unknown): value is Transport =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Transport).invoke === 'function' &&
  typeof (value as Transport).subscribe === 'function';

export function pickTransport(win: Window): { transport: Transport; mode: TransportMode } {
  const preload = win.fieldline;
  if (isTransport(preload)) {
    // The preload's object is frozen by contextBridge; wrap it rather than rely on `this`.
    return {
      mode: 'ipc',
      transport: {
        invoke: (channel, input) => preload.invoke(channel, input),
        subscribe: (listener) => preload.subscribe(listener),
      },
    };
  }
  const token = win.document.querySelector<HTMLMetaElement>(`meta[name="${BRIDGE_TOKEN_META}"]`)?.content ?? '';
  return { mode: 'bridge', transport: createBridgeTransport(bridgeEnvFrom(win, token)) };
}
