/** Shape service settings, read from Electric's own environment names so it can stand in for Electric. */
import os from 'node:os';
import path from 'node:path';

export type ShapeServiceConfig = {
  databaseUrl: string;
  port: number;
  host: string;
  /** Required as `secret` (or `api_secret`) on /v1/shape; undefined runs insecure. */
  secret: string | undefined;
  chunkBytes: number;
  cacheMaxAge: number;
  cacheStaleAge: number;
  longPollTimeoutMs: number;
  allowDelete: boolean;
  storageDir: string;
  streamId: string;
  maxLongPolls: number;
  maxWhereLength: number;
};

export class ConfigError extends Error {
  readonly code = 'bad_config';
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
};

const bool = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v);

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ShapeServiceConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl)
    throw new ConfigError('DATABASE_URL is required (a role with REPLICATION, e.g. the database owner).');
  const insecure = bool(env.ELECTRIC_INSECURE);
  const secret = env.ELECTRIC_SECRET || undefined;
  if (!secret && !insecure) {
    throw new ConfigError(
      'Set ELECTRIC_SECRET, or ELECTRIC_INSECURE=true to serve shapes without a secret (development only).',
    );
  }
  return {
    databaseUrl,
    port: int(env, 'ELECTRIC_PORT', 3000),
    host: env.ELECTRIC_HOST ?? '127.0.0.1',
    secret: insecure ? undefined : secret,
    chunkBytes: int(env, 'ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD', 10 * 1024 * 1024, 1),
    cacheMaxAge: int(env, 'ELECTRIC_CACHE_MAX_AGE', 60),
    cacheStaleAge: int(env, 'ELECTRIC_CACHE_STALE_AGE', 300),
    longPollTimeoutMs: int(env, 'ELECTRIC_LONG_POLL_TIMEOUT', 20_000, 1),
    allowDelete: bool(env.ELECTRIC_ENABLE_INTEGRATION_TESTING),
    storageDir: env.ELECTRIC_STORAGE_DIR ?? path.join(os.tmpdir(), 'fieldline-shape-service'),
    streamId: env.ELECTRIC_REPLICATION_STREAM_ID || 'default',
    maxLongPolls: int(env, 'ELECTRIC_MAX_CONCURRENT_LONG_POLLS', 10_000, 1),
    maxWhereLength: int(env, 'ELECTRIC_MAX_WHERE_LENGTH', 10_000, 1),
  };
}
