/**
 * Browser mode's localhost bridge: the renderer's built files and the app API over HTTP and a
 * WebSocket, on 127.0.0.1 only. The renderer's client side (renderer/api/bridge-transport.ts)
 * speaks exactly this:
 *
 *   GET  /, static files       index.html carries the per-run token in <meta name="fieldline-bridge-token">
 *   POST /api/invoke           Authorization: Bearer <token>, {channel, input} → 200 ApiResult JSON
 *   WS   /api/events           subprotocol fieldline.<token>; {event, payload} text frames
 *
 * Refusals: a foreign Host (DNS rebinding) or Origin → 403; no or wrong token → 401; a body over
 * 1 MiB → 413; all as JSON {error: {code, message}}. No CORS headers, ever; every answer carries
 * the CSP (services/csp.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { dispatch } from '../../shared/api/dispatch.js';
import type { AppHost } from '../services/app-host.js';
import { describeError } from '../services/describe-error.js';
import { EventSockets } from './event-socket.js';
import { BodyTooLargeError, readBody, securityHeaders, sendError, sendJson } from './http-replies.js';
import { bearerToken, hostAllowed, newBridgeToken, originAllowed, tokenMatches } from './request-guards.js';
import { injectToken, resolveStatic, serveFile } from './static-files.js';

export const INVOKE_PATH = '/api/invoke';
export const EVENTS_PATH = '/api/events';

export type BridgeOptions = { host: AppHost; port: number; staticDir: string };
export type RunningBridge = { url: string; port: number; close(): Promise<void> };

export class StaticDirError extends Error {
  constructor(dir: string) {
    super(`${dir} has no index.html: build the renderer first (npm run build:renderer).`);
    this.name = 'StaticDirError';
  }
}

export async function startBridge(opts: BridgeOptions): Promise<RunningBridge> {
  const root = path.resolve(opts.staticDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new StaticDirError(root);
  const token = newBridgeToken();
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const headers = securityHeaders(port);
  const sockets = new EventSockets({ host: opts.host, token, port });

  server.on('request', (req, res) => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'internal', e instanceof Error ? e.message : String(e));
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== EVENTS_PATH) return void socket.destroy();
    sockets.handleUpgrade(req, socket, head);
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!hostAllowed(req, port)) return sendError(res, 403, 'forbidden', 'This address is not the app’s.');
    if (!originAllowed(req, port)) return sendError(res, 403, 'forbidden', 'Requests from other sites are refused.');
    const { pathname } = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (pathname === INVOKE_PATH) return invoke(req, res);
    if (pathname === EVENTS_PATH)
      return sendError(res, 426, 'upgrade_required', 'Events come over a WebSocket (subprotocol fieldline.<token>).');
    if (pathname.startsWith('/api/'))
      return sendError(res, 404, 'not_found', `${pathname} is not part of the app API.`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, 'method_not_allowed', 'Only GET and HEAD are served here.');
    }
    const target = resolveStatic(root, pathname);
    if (target.kind === 'not-found') return sendError(res, 404, 'not_found', `${pathname} was not found.`);
    if (target.kind === 'file') return serveFile(res, target.file, {}, req.method === 'HEAD');
    const html = injectToken(fs.readFileSync(path.join(root, 'index.html'), 'utf8'), token);
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  async function invoke(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendError(res, 405, 'method_not_allowed', 'Call the app API with POST.');
    }
    if (!tokenMatches(bearerToken(req), token))
      return sendError(res, 401, 'unauthorized', 'The bridge token is missing or wrong. Reload the page.');
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return sendError(res, 413, 'bad_input', e.message);
      throw e;
    }
    let call: { channel?: unknown; input?: unknown };
    try {
      call = JSON.parse(body.toString('utf8')) as typeof call;
    } catch {
      return sendError(res, 400, 'bad_input', 'The request body is not JSON.');
    }
    if (call === null || typeof call !== 'object')
      return sendError(res, 400, 'bad_input', 'The request body must be {"channel", "input"}.');
    sendJson(res, 200, await dispatch(opts.host.handlers, call.channel, call.input, describeError));
  }

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
