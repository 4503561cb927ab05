/**
 * The stack the end-to-end tests run against: a migrated test database with demo data, the shape
 * service and the gateway in-process, and the two views every test compares (what a user may see
 * on the server under RLS, and what a replica file holds), checksum by checksum.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { TableDef } from '../../shared/schema/table.js';
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import { asUser, userClaims } from '../../sync/server/db/as-user.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../sync/server/gateway/server.js';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { loadDemo } from '../../sync/server/seed/load.js';
import type { ShapeServiceConfig } from '../../sync/server/shape-service/config.js';
import { testConfig } from '../../sync/server/shape-service/client-test-support.js';
import { startShapeService, type RunningShapeService } from '../../sync/server/shape-service/service.js';
import { connect, createTestDatabase, type TestDatabase } from '../../sync/server/testing/pg.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { replicaChecksum, serverChecksum, type TableChecksum } from './row-checksum.js';

export { DEMO_PASSWORD };
export const SHAPES_SECRET = 'shape-service-secret-for-tests';
export const JWT_SECRET = new TextEncoder().encode('a-test-jwt-secret-that-is-long-enough-123');
export const FAST_RETRY = { initialDelay: 50, maxDelay: 300, multiplier: 1.5 };

export type DemoUser = { id: string; email: string; orgId: string };
export type Views = Record<string, TableChecksum>;

export type TestStack = {
  db: TestDatabase;
  /** An operator connection (bypasses RLS): for arranging data and checking the server. */
  sql: pg.Client;
  shapes: RunningShapeService;
  /** The shape service's config with its port fixed, to restart it in place. */
  shapesConfig: ShapeServiceConfig;
  gateway: RunningGateway;
  /** A scratch folder removed by stop(). */
  dir: string;
  user(email: string): DemoUser;
  /** Starts another gateway on the same database and shape service (port 0: any). */
  startGateway(port?: number, extra?: Partial<GatewayOptions>): Promise<RunningGateway>;
  /** What `email` may see under RLS, per table. */
  serverView(email: string, tables?: readonly TableDef[]): Promise<Views>;
  stop(): Promise<void>;
};

export async function startTestStack(opts: { name: string; seed: number; scale?: number }): Promise<TestStack> {
  const db = await createTestDatabase('migrated');
  const sql = await connect(db.url);
  const loaded = await loadDemo(sql, { seed: opts.seed, scale: opts.scale, anchor: new Date('2026-06-01T00:00:00Z') });
  if (!loaded.loaded) throw new Error(loaded.reason);
  const orgs = await sql.query<{ id: string; slug: string }>('select id, slug from organizations');
  const orgId = new Map(orgs.rows.map((o) => [o.slug, o.id]));
  const users = new Map(loaded.users.map((u) => [u.email, { id: u.id, email: u.email, orgId: orgId.get(u.org)! }]));
  let shapesConfig = testConfig(db.url, makeTempDir(`${opts.name}-shapes`), { secret: SHAPES_SECRET });
  const shapes = await startShapeService(shapesConfig);
  shapesConfig = { ...shapesConfig, port: shapes.port };
  const stack: TestStack = {
    db,
    sql,
    shapes,
    shapesConfig,
    gateway: undefined as unknown as RunningGateway,
    dir: makeTempDir(opts.name),
    user(email) {
      const u = users.get(email);
      if (!u) throw new Error(`no demo user ${email}`);
      return u;
    },
    startGateway: (port = 0, extra = {}) =>
      startGateway({
        databaseUrl: db.url,
        jwtSecret: JWT_SECRET,
        upstream: { url: stack.shapes.url, secret: SHAPES_SECRET },
        port,
        ...extra,
      }),
    async serverView(email, tables = SYNCED_TABLES) {
      const u = stack.user(email);
      const client = await connect(db.url);
      try {
        return await asUser(client, userClaims(u.id, u.orgId), async (c) => {
          const out: Views = {};
          for (const t of tables) out[t.name] = await serverChecksum(c, t);
          return out;
        });
      } finally {
        await client.end();
      }
    },
    async stop() {
      await stack.gateway?.stop();
      await stack.shapes?.stop();
      await sql.end();
      await db.drop();
      fs.rmSync(stack.dir, { recursive: true, force: true });
    },
  };
  stack.gateway = await stack.startGateway();
  return stack;
}

/** What a replica file holds, per table (read-only, beside whatever else has it open). */
export function replicaFileView(file: string, tables: readonly TableDef[] = SYNCED_TABLES): Views {
  const replica = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(tables.map((t) => [t.name, replicaChecksum(replica, t)]));
  } finally {
    replica.close();
  }
}
