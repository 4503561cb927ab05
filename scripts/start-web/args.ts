/** `npm run start:web -- [--port 7400] [--data-dir DIR] [--server URL]` (DESIGN.md, public interfaces). */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataRoot } from '../../sync/server/db/data-dir.js';

export type StartWebOptions = {
  port: number;
  dataDir: string;
  /** The gateway to use; without it the local stack with demo data is started. */
  server: string | undefined;
};

export const START_WEB_USAGE = `Usage: npm run start:web -- [--port 7400] [--data-dir DIR] [--server URL]
  --port      where the app is served on 127.0.0.1 (0: any free port; default 7400)
  --data-dir  the app's data folder (default: ${path.join(defaultDataRoot(), 'app')})
  --server    a gateway to use; without it the local stack with demo data starts in <data-dir>/stack`;

export class UsageError extends Error {
  readonly code = 'usage';
}

export function parseStartWebArgs(argv: string[]): StartWebOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        server: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${START_WEB_USAGE}`);
  }
  if (values.help) throw new UsageError(START_WEB_USAGE);
  const port = Number(values.port ?? 7400);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0–65535, got ${values.port}\n${START_WEB_USAGE}`);
  let server: string | undefined;
  if (values.server !== undefined) {
    let url: URL;
    try {
      url = new URL(values.server);
    } catch {
      throw new UsageError(`--server must be an http:// or https:// address, got ${values.server}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`--server must be an http:// or https:// address, got ${values.server}`);
    server = url.href.replace(/\/+$/, '');
  }
  return {
    port,
    dataDir: path.resolve(values['data-dir'] ?? path.join(defaultDataRoot(), 'app')),
    server,
  };
}
