/**
 * The gateway: sign-in, shapes under the caller's authorization, and (later) mutations and files.
 * Stateless apart from its Postgres pool, so it can run as many copies as needed.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import pg from 'pg';
import { routeAuthRequest, type AuthHandlerDeps } from './auth/handlers.js';
import { createLoginRateLimiter } from './auth/rate-limit.js';
import { gatewayAuth } from './auth/request-auth.js';
import { createAuthSessions } from './auth/sessions.js';
import { sendError, sendFailure, sendJson } from './http-utils.js';
import { handleMutations } from './mutations/route.js';
import { corsHeaders, MAX_URL_LENGTH, proxyShape, type ShapeUpstream } from './shape-proxy.js';

export type GatewayOptions = {
  /** Operator connection: the gateway switches to the `authenticated` role per request where RLS must apply. */
  databaseUrl: string;
  jwtSecret: Uint8Array;
  upstream: ShapeUpstream;
  port: number;
  host?: string;
  log?: (msg: string) => void;
  /** Lifetime of issued access tokens in whole seconds; default ACCESS_TOKEN_TTL_SECONDS (15 min). Tests use a few. */
  accessTokenTtlSeconds?: number;
};

export type RunningGateway = { url: string; port: number; stop(): Promise<void> };

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const ttl = opts.accessTokenTtlSeconds;
  // Whole seconds: a fractional `exp` claim would make every token fail verification.
  if (ttl !== undefined && !(Number.isSafeInteger(ttl) && ttl >= 1)) {
    throw new RangeError(`accessTokenTtlSeconds must be a whole number of seconds ≥ 1, got ${ttl}`);
  }
  const log = opts.log ?? (() => {});
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 20 });
  pool.on('error', (e) => log(`gateway pool: ${e.message}`));
  const sessions = createAuthSessions({
    pool,
    secret: opts.jwtSecret,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds,
  });
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

  // Requests Node's parser refuses before any handler runs (a request line or headers beyond its
  // 16 KiB limit, malformed HTTP) would otherwise get a bare status line; answer with the JSON envelope.
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    if (!socket.writable || socket.writableEnded) return void socket.destroy();
    const [status, code, message]: [number, string, string] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? isRequestLineTooLong(err.rawPacket)
          ? [414, 'request_too_large', 'The request URL is too long.']
          : [431, 'request_too_large', 'The request headers are too large.']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request_timeout', 'The request took too long to arrive.']
          : [400, 'bad_request', 'The request is not valid HTTP.'];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
    );
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
    if (url.pathname === '/v1/mutations') return handleMutations(proxyDeps, req, res, url);
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

/** Whether the bytes Node's parser gave up on start a request whose first line is longer than a URL may be. */
function isRequestLineTooLong(raw: Buffer | undefined): boolean {
  if (!raw || !/^[A-Z]+ /.test(raw.subarray(0, 16).toString('latin1'))) return false;
  const eol = raw.indexOf('\r\n');
  return eol === -1 || eol > MAX_URL_LENGTH;
}
