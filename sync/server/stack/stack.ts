/**
 * The local stack: Postgres (embedded unless DATABASE_URL is given), migrations, optional demo data,
 * the shape service in-process (unless ELECTRIC_URL names a real Electric) and the gateway.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { loadJwtSecret } from '../gateway/auth/secret.js';
import { startGateway } from '../gateway/server.js';
import type { ShapeUpstream } from '../gateway/shape-proxy.js';
import { startShapeService } from '../shape-service/service.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { loadDemo } from '../seed/load.js';
import type { StackOptions } from './args.js';

export type Logger = { info(msg: string): void; progress(msg: string): void };

export type RunningStack = {
  databaseUrl: string;
  embedded: boolean;
  gatewayUrl: string;
  /** Where the gateway sends shape requests: the in-process service (loopback, secret) or ELECTRIC_URL. */
  shapes: ShapeUpstream;
  stop(): Promise<void>;
};

export async function startStack(opts: StackOptions, log: Logger): Promise<RunningStack> {
  let postgres: RunningPostgres | undefined;
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl) {
    log.info(`Starting embedded Postgres in ${opts.dataDir}`);
    postgres = await startEmbeddedPostgres({ dataDir: opts.dataDir });
    databaseUrl = postgres.url;
  }
  try {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { applied, alreadyApplied } = await migrate(client);
      log.info(
        applied.length
          ? `Applied ${applied.length} migration(s): ${applied.join(', ')}`
          : `Schema up to date (${alreadyApplied} migrations)`,
      );
      if (opts.seed === 'demo') await seedDemo(client, opts.scale, log);
    } finally {
      await client.end();
    }
  } catch (e) {
    await postgres?.stop();
    throw e;
  }
  const stoppers: (() => Promise<void>)[] = [async () => postgres?.stop()];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
  };
  try {
    const upstream = opts.electricUrl
      ? { url: opts.electricUrl, ...(opts.electricSecret ? { secret: opts.electricSecret } : {}) }
      : await startInternalShapeService(databaseUrl, opts, log, stoppers);
    const jwt = loadJwtSecret({ env: process.env, dataDir: opts.dataDir });
    if (jwt.source === 'generated') log.info(`Generated a JWT secret in ${jwt.file}`);
    const gateway = await startGateway({
      databaseUrl,
      jwtSecret: jwt.key,
      upstream,
      port: opts.port,
      log: (m) => log.info(`gateway: ${m}`),
    });
    stoppers.push(() => gateway.stop());
    return { databaseUrl, embedded: !!postgres, gatewayUrl: gateway.url, shapes: upstream, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/**
 * Shapes bypass RLS (they read the replication stream), so the in-process service listens on
 * loopback with a per-run secret that only the gateway holds; clients never talk to it directly.
 */
async function startInternalShapeService(
  databaseUrl: string,
  opts: StackOptions,
  log: Logger,
  stoppers: (() => Promise<void>)[],
): Promise<ShapeUpstream> {
  const secret = crypto.randomBytes(24).toString('base64url');
  const shapes = await startShapeService(
    {
      databaseUrl,
      port: 0,
      host: '127.0.0.1',
      secret,
      chunkBytes: 10 * 1024 * 1024,
      cacheMaxAge: 60,
      cacheStaleAge: 300,
      longPollTimeoutMs: 20_000,
      allowDelete: false,
      storageDir: path.join(opts.dataDir, 'shapes'),
      streamId: 'fieldline',
      maxLongPolls: 10_000,
      maxWhereLength: 10_000,
    },
    (m) => log.info(`shape service: ${m}`),
  );
  stoppers.push(() => shapes.stop());
  log.info(`Shape service (internal) listening on ${shapes.url}`);
  return { url: shapes.url, secret };
}

async function seedDemo(client: pg.Client, scale: number, log: Logger): Promise<void> {
  const started = Date.now();
  const result = await loadDemo(
    client,
    { scale },
    (n) => log.progress(`Loading demo data (scale ${scale}): ${n.toLocaleString('en-US')} rows`),
    { bulk: true },
  );
  if (!result.loaded) {
    log.info(`Demo data not loaded: ${result.reason}`);
    return;
  }
  const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
  const secs = (Date.now() - started) / 1000;
  log.info(
    `Loaded ${total.toLocaleString('en-US')} demo rows in ${secs.toFixed(1)} s (${Math.round(total / secs).toLocaleString('en-US')} rows/s)`,
  );
  log.info(
    Object.entries(result.counts)
      .map(([t, n]) => `${t}=${n}`)
      .join(' '),
  );
}
