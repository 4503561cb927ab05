/**
 * The shape service as a whole: one replication slot and publication, the shape registry fed by
 * the replication stream, and the HTTP API. Runs in-process inside the local stack or standalone
 * (main.ts). The slot is acknowledged only after every shape log stored a transaction.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { ShapeServiceConfig } from './config.js';
import { displaySettingsOptions } from './display-settings.js';
import { TableCache, serveShape, type ShapeContext } from './http/serve-shape.js';
import { json, send } from './http/respond.js';
import { PublicationManager } from './replication/publication.js';
import { parseRelation } from './protocol/identifiers.js';
import { ReplicationStream } from './replication/stream.js';
import { ShapeRegistry } from './shapes/registry.js';

export type RunningShapeService = {
  url: string;
  port: number;
  registry: ShapeRegistry;
  stop(): Promise<void>;
};

export type ServiceLogger = (msg: string) => void;

export async function startShapeService(
  config: ShapeServiceConfig,
  log: ServiceLogger = () => {},
): Promise<RunningShapeService> {
  // Where-clauses are evaluated on these connections: same time zone and literal rules as snapshots.
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10, options: displaySettingsOptions() });
  pool.on('error', (e) => log(`database pool: ${e.message}`));
  const admin = new pg.Client({ connectionString: config.databaseUrl });
  await admin.connect();
  const publication = new PublicationManager(admin, { streamId: config.streamId });
  await publication.ensurePublication();
  const { created } = await publication.ensureSlot();
  let tableWork = Promise.resolve();
  const registry = new ShapeRegistry({
    pool,
    storageDir: config.storageDir,
    chunkBytes: config.chunkBytes,
    // One ALTER at a time on the shared admin connection.
    prepareTable: (schema, name) =>
      (tableWork = tableWork.then(() => publication.addTables([{ schema, name }]).then(() => {}))),
    log,
  });
  await registry.load(!created);
  const tables = new TableCache(pool);
  let serverLsn = 0n;
  let ready = false;
  let stopping = false;
  let markReady: () => void = () => {};
  const streamingOnce = new Promise<void>((resolve) => (markReady = resolve));
  let stream: ReplicationStream | undefined;

  const runStream = async () => {
    let knownRelations: ReturnType<ReplicationStream['knownRelations']> = [];
    let backoff = 500;
    while (!stopping) {
      const s = (stream = new ReplicationStream({
        connection: config.databaseUrl,
        publication: publication.publication,
        slot: publication.slot,
        knownRelations,
        onStreaming: () => {
          ready = true;
          backoff = 500;
          markReady();
        },
      }));
      try {
        await s.start(async (tx) => {
          for (const rel of tx.changedRelations) tables.invalidate(rel.oid);
          for (const c of tx.changes) if (c.kind === 'truncate') c.relations.forEach((r) => tables.invalidate(r.oid));
          const relations = new Map(s.knownRelations().map((r) => [r.oid, r]));
          for (const rel of relations.values()) tables.forgetIfOutdated(rel);
          await registry.applyTransaction(tx, (oid) => relations.get(oid));
          if (tx.lsn > serverLsn) serverLsn = tx.lsn;
          s.acknowledge(tx.lsn);
        });
      } catch (e) {
        if (stopping) break;
        log(`replication stream failed, reconnecting in ${backoff} ms: ${(e as Error).message}`);
      }
      knownRelations = s.knownRelations();
      if (stopping) break;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
  };
  const streaming = runStream();
  // Serve only once the replication stream runs: a shape created earlier could miss changes.
  const startupTimeout = setTimeout(
    () => log('replication has not started after 30 s; /v1/shape answers 503 until it does'),
    30_000,
  );
  await Promise.race([streamingOnce, new Promise((r) => setTimeout(r, 30_000))]);
  clearTimeout(startupTimeout);

  const ctx: ShapeContext = { config, pool, registry, tables, serverLsn: () => serverLsn, longPolls: { active: 0 } };
  const server = http.createServer((req, res) => {
    route(ctx, req, res, () => ready).catch((e: unknown) => {
      log(`request failed: ${(e as Error).stack ?? String(e)}`);
      send(req, res, 500, json({ error: 'Internal server error' }), { 'cache-control': 'no-store' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${config.host}:${port}`,
    port,
    registry,
    async stop() {
      stopping = true;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await stream?.stop();
      await streaming;
      await registry.close();
      await pool.end();
      await admin.end();
    },
  };
}

async function route(ctx: ShapeContext, req: http.IncomingMessage, res: http.ServerResponse, isReady: () => boolean) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Route on the normalised path, so /v1//shape or /v1/%73hape cannot slip past checks.
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    decoded = url.pathname; // malformed percent-encoding: no route of ours, so a 404 below
  }
  const route = decoded.replace(/\/+/g, '/').replace(/\/$/, '') || '/';
  if (route === '/v1/health') {
    return isReady()
      ? send(req, res, 200, json({ status: 'active' }), { 'cache-control': 'no-cache, no-store, must-revalidate' })
      : send(req, res, 202, json({ status: 'starting' }), { 'cache-control': 'no-cache, no-store, must-revalidate' });
  }
  if (route === '/') return send(req, res, 200, '', { 'content-type': 'text/plain' });
  if (route !== '/v1/shape') return send(req, res, 404, 'Not found', { 'content-type': 'text/plain' });
  if (req.method === 'OPTIONS') {
    return send(req, res, 204, undefined, {
      'access-control-max-age': '86400',
      'access-control-allow-headers': 'if-none-match, traceparent',
    });
  }
  if (req.method === 'DELETE') return deleteShape(ctx, req, res, url);
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(req, res, 405, json({ message: 'Method not allowed' }));
  if (!isReady())
    return send(req, res, 503, json({ message: 'Stack not ready' }), {
      'retry-after': '5',
      'cache-control': 'no-store',
    });
  return serveShape(ctx, req, res, url);
}

async function deleteShape(ctx: ShapeContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  // Responses to methods other than GET are never cached (protocol §7, rule 1).
  const reply = (status: number, body: string) => send(req, res, status, body, { 'cache-control': 'no-cache' });
  if (ctx.config.secret !== undefined) {
    const given = url.searchParams.get('secret') ?? url.searchParams.get('api_secret');
    if (given !== ctx.config.secret) return reply(401, json({ message: 'Unauthorized - Invalid API secret' }));
  }
  if (!ctx.config.allowDelete) return reply(405, json({ message: 'DELETE not allowed' }));
  const handle = url.searchParams.get('handle');
  const table = url.searchParams.get('table');
  if (!handle && !table) return reply(400, json({ message: 'Invalid request', errors: { table: ["can't be blank"] } }));
  // The same identifier rules as GET: unquoted names fold to lower case, quoted ones keep theirs.
  const relation = table ? parseRelation(table) : undefined;
  if (relation && !relation.ok)
    return reply(400, json({ message: 'Invalid request', errors: { table: [relation.error] } }));
  const targets = ctx.registry
    .all()
    .filter(
      (s) =>
        (handle ? s.handle === handle : true) &&
        (relation?.ok
          ? s.definition.schema === relation.value.schema && s.definition.table === relation.value.name
          : true),
    );
  if (!targets.length) return reply(404, json({ message: 'Shape not found' }));
  for (const s of targets) await ctx.registry.rotate(s, 'deleted through the API');
  return reply(202, '');
}
