/**
 * Browser mode: the app API over the localhost bridge. Calls are POST /api/invoke with the page's
 * bearer token; events arrive over one WebSocket that reconnects with backoff while anyone listens.
 * On every (re)connect the bridge sends the current session, settings and sync status, so stores
 * catch up after a drop without asking.
 *
 *   idle ──subscribe──▶ connecting ──open──▶ open ──close/error──▶ waiting ──timer──▶ connecting
 *     ▲                                                                  │
 *     └──────────────────── last listener gone (any state) ◀─────────────┘
 */
import type { Transport } from '../../shared/api/client.js';
import { backoffDelay, EVENT_SOCKET_BACKOFF } from './backoff.js';
import { BRIDGE_EVENTS_PATH, BRIDGE_INVOKE_PATH, bridgeSubprotocol } from './bridge-protocol.js';
import { bridgeUnreachable, resultFromHttp } from './bridge-results.js';

type Listener = (event: string, payload: unknown) => void;

export type BridgeEnv = {
  token: string;
  /** `location.host` and `location.protocol` of the page the bridge served. */
  host: string;
  secure: boolean;
  fetch: typeof fetch;
  openSocket: (url: string, protocols: string[]) => WebSocket;
  setTimeout: (fn: () => void, ms: number) => number;
  clearTimeout: (handle: number) => void;
  random: () => number;
};

export function bridgeEnvFrom(win: Window, token: string): BridgeEnv {
  return {
    token,
    host: win.location.host,
    secure: win.location.protocol === 'https:',
    fetch: win.fetch.bind(win),
    openSocket: (url, protocols) => new WebSocket(url, protocols),
    setTimeout: (fn, ms) => win.setTimeout(fn, ms),
    clearTimeout: (handle) => win.clearTimeout(handle),
    random: Math.random,
  };
}

export function createBridgeTransport(env: BridgeEnv): Transport {
  const listeners = new Set<Listener>();
  let socket: WebSocket | null = null;
  let retryTimer: number | null = null;
  let attempt = 0;

  const deliver = (data: unknown) => {
    if (typeof data !== 'string') return;
    let message: { event?: unknown; payload?: unknown };
    try {
      message = JSON.parse(data) as typeof message;
    } catch {
      return; // not ours to interpret; the API client validates what it does receive
    }
    if (typeof message?.event !== 'string') return;
    for (const listener of [...listeners]) listener(message.event, message.payload);
  };

  const connect = () => {
    retryTimer = null;
    const url = `${env.secure ? 'wss' : 'ws'}://${env.host}${BRIDGE_EVENTS_PATH}`;
    const ws = env.openSocket(url, [bridgeSubprotocol(env.token)]);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
    };
    ws.onmessage = (e: MessageEvent) => deliver(e.data);
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (listeners.size > 0)
        retryTimer = env.setTimeout(connect, backoffDelay(attempt++, EVENT_SOCKET_BACKOFF, env.random()));
    };
  };

  const disconnect = () => {
    if (retryTimer !== null) env.clearTimeout(retryTimer);
    retryTimer = null;
    const ws = socket;
    socket = null;
    ws?.close();
    attempt = 0;
  };

  return {
    async invoke(channel, input) {
      let response: Response;
      try {
        response = await env.fetch(BRIDGE_INVOKE_PATH, {
          method: 'POST',
          headers: { Authorization: `Bearer ${env.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ channel, input: input ?? {} }),
        });
      } catch {
        return bridgeUnreachable(channel);
      }
      let body: unknown = null;
      try {
        body = await response.json();
      } catch {
        // An empty or non-JSON body: resultFromHttp says what the status means.
        if (response.status === 200) return bridgeUnreachable(channel);
      }
      return resultFromHttp(response.status, body);
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket && retryTimer === null) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) disconnect();
      };
    },
  };
}
