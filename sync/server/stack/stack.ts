/**
 * The local stack: Postgres (embedded unless DATABASE_URL is given), migrations, optional demo data,
 * and the shape service in-process. The gateway joins here when it is built.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { startShapeService, type RunningShapeService } from '../shape-service/service.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { loadDemo } from '../seed/load.js';
import type { StackOptions } from './args.js';

export type Logger = { info(msg: string): void; progress(msg: string): void };

export type RunningStack = {
  databaseUrl: string;
  embedded: boolean;
  /** The in-process shape service: loopback only, and every request needs `secret`. */
  shapes: { url: string; secret: string };
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
  // Shapes bypass RLS (they read the replication stream), so the service is only reachable with a
  // per-run secret that the gateway holds; clients never talk to it directly.
  const secret = crypto.randomBytes(24).toString('base64url');
  let shapes: RunningShapeService;
  try {
    shapes = await startShapeService(
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
  } catch (e) {
    await postgres?.stop();
    throw e;
  }
  log.info(`Shape service (internal) listening on ${shapes.url}`);
  return {
    databaseUrl,
    embedded: !!postgres,
    shapes: { url: shapes.url, secret },
    stop: async () => {
      await shapes.stop();
      await postgres?.stop();
    },
  };
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
