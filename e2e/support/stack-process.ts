/**
 * The local stack (embedded Postgres, shape service, gateway) as its own process, as an operator
 * runs it: `npm run stack`. Stopping it stops the gateway for real; starting it again on the same
 * data dir and port brings back the same database.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describeOutput, spawnChild, waitForLine, type ChildHandle } from '../../sync/server/testing/child.js';

export type StackProcess = {
  gatewayUrl: string;
  port: number;
  databaseUrl: string;
  dataDir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Runs a query as the operator (bypasses RLS): to arrange data and to check the server. */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
};

export async function startStackProcess(opts: {
  dataDir: string;
  scale?: number;
  port?: number;
}): Promise<StackProcess> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  let child: ChildHandle | undefined;
  let port = opts.port ?? 0;
  const stack = {
    gatewayUrl: '',
    port,
    databaseUrl: '',
    dataDir: opts.dataDir,
    async start() {
      const args = ['--import', 'tsx', path.resolve('sync/server/stack/main.ts'), '--seed', 'demo'];
      args.push('--data-dir', opts.dataDir, '--port', String(port), '--scale', String(opts.scale ?? 1));
      child = spawnChild(process.execPath, args);
      const db = await waitForLine(child, /^DATABASE_URL=(\S+)$/m, { timeoutMs: 240_000 });
      const gw = await waitForLine(child, /Gateway listening on (http:\/\/127\.0\.0\.1:(\d+))/, { timeoutMs: 120_000 });
      stack.databaseUrl = db[1]!;
      stack.gatewayUrl = gw[1]!;
      stack.port = port = Number(gw[2]);
    },
    async stop() {
      if (!child || child.exitResult()) return;
      child.process.kill('SIGTERM');
      const exit = await child.exited;
      if (exit.code !== 0) throw new Error(`the stack did not stop cleanly: ${describeOutput(child)}`);
    },
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: stack.databaseUrl });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
  };
  await stack.start();
  return stack;
}
