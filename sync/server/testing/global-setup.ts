/**
 * Vitest global setup: one real embedded Postgres cluster for the whole run, plus a migrated
 * template database so each test file can clone a fresh schema in milliseconds.
 */
import fs from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { makeTempDir } from './temp-dir.js';

import { TEMPLATE_DB } from './constants.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = makeTempDir('test-pg');
  const server = await startEmbeddedPostgres({ dataDir, durable: false, database: 'postgres' });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`create database ${TEMPLATE_DB}`);
  await client.end();
  const template = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, `/${TEMPLATE_DB}`) });
  await template.connect();
  await migrate(template);
  await template.end();
  project.provide('pgAdminUrl', server.url);
  return async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
