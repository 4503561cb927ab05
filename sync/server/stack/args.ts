import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataRoot } from '../db/data-dir.js';

export type StackOptions = {
  port: number;
  dataDir: string;
  seed: 'demo' | 'none';
  scale: number;
  databaseUrl: string | undefined;
  electricUrl: string | undefined;
  /** Sent as `secret` to ELECTRIC_URL (Electric's ELECTRIC_SECRET). */
  electricSecret: string | undefined;
};

export class UsageError extends Error {
  readonly code = 'usage';
}

export const STACK_USAGE = `Usage: npm run stack -- [--port 7410] [--data-dir DIR] [--seed demo|none] [--scale N]
Environment: DATABASE_URL (use that Postgres instead of the embedded one), ELECTRIC_URL (+ ELECTRIC_SECRET: use that\nElectric instead of the built-in shape service), PORT, DATA_DIR, JWT_SECRET`;

export function parseStackArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): StackOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        seed: { type: 'string' },
        scale: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${STACK_USAGE}`);
  }
  if (values.help) throw new UsageError(STACK_USAGE);
  const port = Number(values.port ?? env.PORT ?? 7410);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0–65535, got ${values.port ?? env.PORT}`);
  const seed = values.seed ?? 'none';
  if (seed !== 'demo' && seed !== 'none') throw new UsageError(`--seed must be demo or none, got ${seed}`);
  const scale = Number(values.scale ?? 1);
  if (!Number.isInteger(scale) || scale < 1 || scale > 10_000)
    throw new UsageError(`--scale must be a whole number from 1 to 10000, got ${values.scale}`);
  return {
    port,
    dataDir: path.resolve(values['data-dir'] ?? env.DATA_DIR ?? path.join(defaultDataRoot(), 'stack')),
    seed,
    scale,
    databaseUrl: env.DATABASE_URL || undefined,
    electricUrl: env.ELECTRIC_URL || undefined,
    electricSecret: env.ELECTRIC_SECRET || undefined,
  };
}
