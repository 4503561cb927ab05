/**
 * The gateway: sign-in, shapes under the caller's authorization, and (later) mutations and files.
 * Stateless apart from its Postgres pool, so it can run as many copies as needed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { routeAuthRequest, type AuthHandlerDeps } from './auth/handlers.js';
import { createLoginRateLimiter } from './auth/rate-limit.js';
import { gatewayAuth } from './auth/request-auth.js';
import { createAuthSessions } from './auth/sessions.js';
import { sendError, sendFailure, sendJson } from './http-utils.js';
import { corsHeaders, proxyShape, type ShapeUpstream } from './shape-proxy.js';

export type GatewayOptions = {
  /** Operator connection: the gateway switches to the `authenticated` role per request where RLS must apply. */
  databaseUrl: string;
  jwtSecret: Uint8Array;
  upstream: ShapeUpstream;
  port: number;
  host?: string;
  log?: (msg: string) => void;
};

export type RunningGateway = { url: string; port: number; stop(): Promise<void> };

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const log = opts.log ?? (() => {});
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 20 });
  pool.on('error', (e) => log(`gateway pool: ${e.message}`));
  const sessions = createAuthSessions({ pool, secret: opts.jwtSecret });
  const authDeps: AuthHandlerDeps = {
    sessions,
    loginLimiter: createLoginRateLimiter(),
    onUnexpectedError: (e) => log(`auth request failed: ${(e as Error).stack ?? String(e)}`),
  };
  const proxyDeps = { pool, auth: gatewayAuth({ secret: opts.jwtSecret, sessions }), upstream: opts.upstream };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendFailure(res, e, (err) => log(`request failed: ${(err as Error).stack ?? String(err)}`));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    for (const [k, v] of Object.entries(corsHeaders(req))) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type, if-none-match',
        'access-control-max-age': '86400',
      });
      return void res.end();
    }
    if (url.pathname === '/healthz') {
      await pool.query('select 1');
      return sendJson(res, 200, { status: 'ok' }, { 'cache-control': 'no-store' });
    }
    if (await routeAuthRequest(req, res, authDeps)) return;
    if (url.pathname === '/v1/shape') {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendError(res, 405, 'method_not_allowed', 'Use GET for shapes.');
      return proxyShape(proxyDeps, req, res, url);
    }
    sendError(res, 404, 'not_found', `No route ${req.method} ${url.pathname}`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await pool.end();
    },
  };
}
