/**
 * The bridge's event channel: a WebSocket at /api/events whose subprotocol `fieldline.<token>`
 * carries the bridge token (a browser cannot set headers on an upgrade). Every app event goes to
 * every socket as `{event, payload}`; a new socket first gets the current session, settings and
 * sync status, so a reloaded page is up to date without asking, and a replica:changed naming every
 * table: a page that reconnects after a dropped socket may have missed changes, so it re-reads.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import type { AppHost } from '../services/app-host.js';
import { hostAllowed, originAllowed, subprotocolToken, tokenMatches } from './request-guards.js';

/** A socket this far behind (a frozen tab) is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const PING_INTERVAL_MS = 30_000;

export type EventSocketOptions = { host: AppHost; token: string; port: number };

export class EventSockets {
  readonly #o: EventSocketOptions;
  readonly #wss: WebSocketServer;
  readonly #off: () => void;
  readonly #ping: NodeJS.Timeout;
  readonly #alive = new WeakSet<WebSocket>();

  constructor(opts: EventSocketOptions) {
    this.#o = opts;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      // The client must see its own subprotocol echoed, or the browser drops the connection.
      handleProtocols: (protocols) => {
        const offered = [...protocols].find((p) => tokenMatches(subprotocolToken([p]), opts.token));
        return offered ?? false;
      },
    });
    this.#wss.on('connection', (ws) => void this.#welcome(ws));
    this.#off = opts.host.on((event, payload) => this.#broadcast(JSON.stringify({ event, payload })));
    this.#ping = setInterval(() => this.#checkAlive(), PING_INTERVAL_MS);
    this.#ping.unref();
  }

  /** Takes over an HTTP upgrade for /api/events, or refuses it without a WebSocket handshake. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req, this.#o.port) || !originAllowed(req, this.#o.port)) return refuse('403 Forbidden');
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!tokenMatches(subprotocolToken(protocols), this.#o.token)) return refuse('401 Unauthorized');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  close(): void {
    this.#off();
    clearInterval(this.#ping);
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }

  async #welcome(ws: WebSocket): Promise<void> {
    this.#alive.add(ws);
    ws.on('pong', () => this.#alive.add(ws));
    ws.on('message', () => {}); // events flow one way; anything sent here is ignored
    const h = this.#o.host.handlers;
    const send = (event: string, payload: unknown) => this.#send(ws, JSON.stringify({ event, payload }));
    send('session:changed', await h['session:get']({}));
    send('settings:changed', await h['settings:get']({}));
    send('sync:status-changed', await h['sync:status']({}));
    send('replica:changed', { tables: SYNCED_TABLES.map((t) => t.name) });
  }

  #broadcast(text: string): void {
    for (const ws of this.#wss.clients) this.#send(ws, text);
  }

  #send(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return void ws.terminate();
    ws.send(text);
  }

  #checkAlive(): void {
    for (const ws of this.#wss.clients) {
      if (!this.#alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.#alive.delete(ws);
      ws.ping();
    }
  }
}
