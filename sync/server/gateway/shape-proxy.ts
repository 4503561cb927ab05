/**
 * GET /v1/shape through the gateway: authenticate, authorize (see shape-filter.ts), then pass the
 * request to the shape service (ours or a real Electric) and stream its answer back untouched —
 * status, electric-* headers and body — so the official client cannot tell the gateway from
 * Electric. Two things do change: the service secret is added (clients never hold it), and shared
 * caches are told the answer is per-user (`private`, `vary: authorization`), since the URL a client
 * sees does not contain the organization filter.
 */
import type http from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type pg from 'pg';
import type { Role } from '../../../shared/schema/roles.js';
import { tableByName } from '../../../shared/schema/tables.js';
import { loadTableInfo } from '../shape-service/inspector.js';
import type { TableInfo } from '../shape-service/types.js';
import { bearerToken } from './auth/request-auth.js';
import { authorizeShape, ShapeRequestError, type UpstreamShape } from './shape-filter.js';

/** Our one addition to the protocol's headers; official clients ignore it. */
export const TOTAL_ROWS_HEADER = 'fieldline-total-rows';

export type Membership = { organization_id: string; role: Role };

export type GatewayAuth = {
  /** The user id of a valid access token; throws an error with `status`/`code` otherwise. */
  verify(token: string): Promise<{ userId: string; organizationId?: string }>;
  /** The caller's active membership (in `organizationId` when given); throws when there is none. */
  membership(userId: string, organizationId?: string): Promise<Membership>;
};

export type ShapeUpstream = { url: string; secret?: string };

/** The longest request URL (path and query) served by default; longer ones are refused with 414. */
export const MAX_URL_LENGTH = 8_192;

export type ProxyDeps = {
  pool: pg.Pool;
  auth: GatewayAuth;
  upstream: ShapeUpstream;
  maxUrlLength?: number;
};

/** Query parameters the gateway decides itself; whatever a client sends for them is replaced. */
const OWNED = new Set(['table', 'where', 'columns', 'organization_id', 'secret', 'api_secret']);
/** Response headers that belong to one hop only. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

const tableCache = new WeakMap<pg.Pool, Map<string, TableInfo>>();
async function tableInfo(pool: pg.Pool, name: string): Promise<TableInfo> {
  let cache = tableCache.get(pool);
  if (!cache) tableCache.set(pool, (cache = new Map()));
  let info = cache.get(name);
  if (!info) {
    info = await loadTableInfo(pool as unknown as pg.ClientBase, 'public', name);
    if (!info)
      throw new ShapeRequestError(503, 'schema_missing', `Table ${name} is missing on the server; run the migrations.`);
    cache.set(name, info);
  }
  return info;
}

/** The upstream URL for an authorized request, and the filter it applies. */
async function upstreamRequest(
  deps: ProxyDeps,
  userId: string,
  query: URLSearchParams,
  tokenOrg?: string,
): Promise<{ url: URL; table: string; shape: UpstreamShape }> {
  const tableName = query.get('table');
  if (!tableName) throw new ShapeRequestError(400, 'bad_request', 'table is required');
  const def = tableByName(tableName);
  if (!def) throw new ShapeRequestError(403, 'table_not_synced', `${tableName} is not a synced table`);
  for (const key of query.keys()) {
    if (key.startsWith('subset__'))
      throw new ShapeRequestError(400, 'not_supported', 'Subset snapshots are not supported');
  }
  const membership = await deps.auth.membership(userId, query.get('organization_id') ?? tokenOrg);
  const shape = authorizeShape(def, await tableInfo(deps.pool, def.name), membership.organization_id, query);

  const url = new URL('/v1/shape', deps.upstream.url);
  for (const [k, v] of query) if (!OWNED.has(k) && !k.startsWith('params[')) url.searchParams.append(k, v);
  url.searchParams.set('table', def.name);
  url.searchParams.set('where', shape.where);
  shape.params.forEach((p, i) => url.searchParams.set(`params[${i + 1}]`, p));
  url.searchParams.set('columns', shape.columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(','));
  if (deps.upstream.secret) url.searchParams.set('secret', deps.upstream.secret);
  return { url, table: def.name, shape };
}

/**
 * Rows the shape holds right now, for the client's initial-sync progress (`fieldline-total-rows`).
 * Only on a shape's first request; approximate by nature (rows change while it downloads), and
 * left out rather than failing the request when the count cannot be taken.
 */
async function countRows(pool: pg.Pool, table: string, shape: UpstreamShape): Promise<number | undefined> {
  try {
    const { rows } = await pool.query<{ n: string }>(
      `select count(*) as n from public."${table.replace(/"/g, '""')}" where ${shape.where}`,
      shape.params,
    );
    return Number(rows[0]!.n);
  } catch {
    return undefined;
  }
}

/** Serves one shape request; refusals are thrown as HttpError for the server to answer. */
export async function proxyShape(
  deps: ProxyDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  if ((req.url?.length ?? 0) > (deps.maxUrlLength ?? MAX_URL_LENGTH)) {
    throw new ShapeRequestError(414, 'request_too_large', 'The request URL is too long.');
  }
  const who = await deps.auth.verify(bearerToken(req));
  const { url: target, table, shape } = await upstreamRequest(deps, who.userId, url.searchParams, who.organizationId);
  const total = url.searchParams.get('offset') === '-1' ? countRows(deps.pool, table, shape) : undefined;

  const abort = new AbortController();
  res.on('close', () => abort.abort());
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      headers: req.headers['if-none-match'] ? { 'if-none-match': String(req.headers['if-none-match']) } : {},
      signal: abort.signal,
    });
  } catch (e) {
    if (abort.signal.aborted) return;
    throw new ShapeRequestError(
      502,
      'upstream_unreachable',
      `The shape service did not answer: ${(e as Error).message}`,
      {
        'retry-after': '5',
      },
    );
  }
  const headers: Record<string, string> = {};
  upstream.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key) && !key.startsWith('access-control-')) headers[key] = value;
  });
  if (headers['cache-control']) {
    headers['cache-control'] = headers['cache-control']
      .replace(/\bpublic\b/, 'private')
      .replace(/,\s*s-maxage=\d+/, '');
  }
  headers.vary = 'authorization';
  const rows = upstream.status === 200 ? await total : undefined;
  if (rows !== undefined) headers[TOTAL_ROWS_HEADER] = String(rows);
  res.writeHead(upstream.status, { ...corsHeaders(req), ...headers });
  if (!upstream.body || req.method === 'HEAD') return void res.end();
  Readable.fromWeb(upstream.body as WebReadableStream)
    .on('error', () => res.destroy())
    .pipe(res);
}

export function corsHeaders(req: http.IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-expose-headers':
      'electric-cursor,electric-handle,electric-has-data,electric-offset,electric-schema,electric-up-to-date,electric-internal-known-error,electric-snapshot,retry-after,' +
      TOTAL_ROWS_HEADER,
  };
}
