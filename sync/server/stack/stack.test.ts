/**
 * The real `npm run stack` launcher as a child process: embedded Postgres, migrations, demo data,
 * clean shutdown on signals, and its failure modes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../db/migrate.js';
import {
  descendants,
  describeOutput,
  findProcesses,
  isAlive,
  killChildren,
  killProcesses,
  spawnChild,
  stopChild,
  waitForExit,
  waitForLine,
} from '../testing/child.js';
import type { ChildHandle } from '../testing/child.js';
import { connect, createTestDatabase } from '../testing/pg.js';
import type { TestDatabase } from '../testing/pg.js';
import { makeTempDir } from '../testing/temp-dir.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const READY_TIMEOUT = 180_000;

/** Data dirs and databases made by the current test; afterEach cleans them up. */
const dirs: string[] = [];
const databases: TestDatabase[] = [];

function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  dirs.push(dir);
  return dir;
}

function launch(args: string[], env: NodeJS.ProcessEnv = {}): ChildHandle {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.DATA_DIR;
  delete base.PORT;
  // Port 0 unless a test picks one: parallel tests must not fight over the default 7410.
  const withPort = args.includes('--port') ? args : [...args, '--port', '0'];
  return spawnChild(process.execPath, ['--import', 'tsx', 'sync/server/stack/main.ts', ...withPort], {
    cwd: REPO_ROOT,
    env: { ...base, ...env },
  });
}

/** Waits for `DATABASE_URL=…` on stdout and for the "ready" log line on stderr. */
async function ready(child: ChildHandle): Promise<string> {
  const [, url] = await waitForLine(child, /^DATABASE_URL=(\S+)$/, { timeoutMs: READY_TIMEOUT });
  await waitForLine(child, 'Stack ready', { stream: 'stderr', timeoutMs: 10_000 });
  return url!;
}

async function expectCleanExit(child: ChildHandle, signal: NodeJS.Signals): Promise<void> {
  const exit = await stopChild(child, signal, 20_000);
  expect(exit, describeOutput(child)).toEqual({ code: 0, signal: null });
}

afterEach(async () => {
  // Never leave a launcher or a Postgres behind, even when a test failed halfway.
  await killChildren();
  for (const dir of dirs) killProcesses(findProcesses(dir));
  for (const db of databases.splice(0)) await db.drop().catch(() => undefined);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run stack', () => {
  it('starts embedded Postgres with migrations and demo data, stops cleanly, and restarts on the same data dir', async () => {
    const dir = tempDir('stack');
    const first = launch(['--data-dir', dir, '--seed', 'demo']);
    const url = await ready(first);
    expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(first.stderr()).toContain(`Starting embedded Postgres in ${dir}`);
    expect(first.stderr()).toMatch(/Applied \d+ migration\(s\)/);
    expect(first.stderr()).toMatch(/Loaded [\d,]+ demo rows/);
    const [dbLine, gatewayLine, ...more] = first.stdout().trim().split('\n');
    expect(dbLine).toBe(`DATABASE_URL=${url}`);
    expect(gatewayLine).toMatch(/^Gateway listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(more, 'stdout carries only the two ready lines').toEqual([]);
    const health = await fetch(`${gatewayLine!.replace('Gateway listening on ', '')}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });

    const client = await connect(url);
    try {
      const { rows: tables } = await client.query<{ name: string; rls: boolean; forced: boolean }>(
        `select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind = 'r' order by 1`,
      );
      expect(tables.length).toBeGreaterThanOrEqual(18);
      expect(tables.filter((t) => !t.rls || !t.forced).map((t) => t.name)).toEqual([]);

      const { rows: orgs } = await client.query<{
        name: string;
        users: number;
        properties: number;
        devices: number;
        tasks: number;
      }>(
        `select o.name,
                (select count(*)::int from organization_members m where m.organization_id = o.id) as users,
                (select count(*)::int from properties p where p.organization_id = o.id) as properties,
                (select count(*)::int from devices d where d.organization_id = o.id) as devices,
                (select count(*)::int from tasks t where t.organization_id = o.id) as tasks
           from organizations o order by o.name`,
      );
      expect(orgs.map((o) => o.name)).toEqual(['Contoso Alarm', 'Northwind Security']);
      for (const o of orgs) {
        expect(o.users, o.name).toBeGreaterThan(0);
        expect(o.properties, o.name).toBeGreaterThan(0);
        expect(o.devices, o.name).toBeGreaterThan(0);
        expect(o.tasks, o.name).toBeGreaterThan(0);
      }
      const { rows: users } = await client.query<{ n: number }>('select count(*)::int as n from app.users');
      expect(users[0]!.n).toBe(6);
    } finally {
      await client.end();
    }

    // The postmaster is found by its data dir: the check below is not vacuous.
    const postgres = findProcesses(dir).filter((p) => p.pid !== first.pid);
    expect(postgres.length, 'a Postgres process runs on the data dir').toBeGreaterThan(0);
    const tree = descendants(first.pid);
    expect(tree.length).toBeGreaterThan(0);

    await expectCleanExit(first, 'SIGTERM');
    expect(first.stderr()).toContain(`Data kept in ${dir}`);
    expect(findProcesses(dir)).toEqual([]);
    expect(tree.filter((p) => isAlive(p.pid))).toEqual([]);

    // Again on the same data dir: nothing to migrate, demo data not loaded twice.
    const second = launch(['--data-dir', dir, '--seed', 'demo']);
    const url2 = await ready(second);
    expect(second.stderr()).toMatch(/Schema up to date \(\d+ migrations\)/);
    expect(second.stderr()).toContain('Demo data not loaded');
    expect(second.stderr()).not.toMatch(/Loaded [\d,]+ demo rows/);
    const client2 = await connect(url2);
    try {
      const { rows } = await client2.query<{ orgs: number; users: number }>(
        'select (select count(*)::int from organizations) as orgs, (select count(*)::int from app.users) as users',
      );
      expect(rows[0]).toEqual({ orgs: 2, users: 6 });
    } finally {
      await client2.end();
    }
    const tree2 = descendants(second.pid);
    await expectCleanExit(second, 'SIGINT');
    expect(findProcesses(dir)).toEqual([]);
    expect(tree2.filter((p) => isAlive(p.pid))).toEqual([]);
  }, 400_000);

  it('uses DATABASE_URL instead of embedded Postgres, and migrates it', async () => {
    const db = await createTestDatabase('empty');
    databases.push(db);
    const dataDir = path.join(tempDir('stack-ext'), 'unused');
    const child = launch(['--data-dir', dataDir], { DATABASE_URL: db.url });
    const url = await ready(child);
    expect(url).toBe(db.url);
    expect(child.stderr()).not.toContain('Starting embedded Postgres');
    expect(child.stderr()).toMatch(/Applied \d+ migration\(s\)/);
    // The data dir holds only the shape logs then: no Postgres cluster is created in it.
    expect(fs.existsSync(path.join(dataDir, 'postgres')), 'no embedded cluster').toBe(false);
    expect(descendants(child.pid), 'no Postgres child').toEqual([]);

    const client = await connect(db.url);
    try {
      const { rows } = await client.query<{ version: number }>(
        'select version from app.schema_migrations order by version',
      );
      expect(rows.map((r) => r.version)).toEqual(loadMigrations().map((m) => m.version));
      const { rows: orgs } = await client.query<{ n: number }>('select count(*)::int as n from organizations');
      expect(orgs[0]!.n, 'no --seed: no demo data').toBe(0);
    } finally {
      await client.end();
    }
    await expectCleanExit(child, 'SIGTERM');
  }, 120_000);

  it('rejects bad arguments with exit code 2 and a message naming the problem, starting nothing', async () => {
    const root = tempDir('stack-args');
    const cases: [args: string[], message: RegExp][] = [
      [['--seed', 'bogus'], /--seed must be demo or none, got bogus/],
      [['--scale', '0'], /--scale must be a whole number.*got 0/],
      [['--scale', '1.5'], /--scale must be a whole number.*got 1\.5/],
      [['--port', '70000'], /--port must be 0–65535, got 70000/],
      [['--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    await Promise.all(
      cases.map(async ([args, message], i) => {
        const dataDir = path.join(root, `case-${i}`);
        const child = launch(['--data-dir', dataDir, ...args]);
        const exit = await waitForExit(child, 60_000);
        expect(exit, describeOutput(child)).toEqual({ code: 2, signal: null });
        expect(child.stderr(), args.join(' ')).toMatch(message);
        expect(child.stderr()).not.toContain('Starting embedded Postgres');
        expect(child.stdout()).toBe('');
        expect(fs.existsSync(dataDir), 'no data dir created').toBe(false);
      }),
    );
    expect(findProcesses(root)).toEqual([]);
  }, 120_000);

  it.skipIf(process.getuid?.() !== 0)(
    'as root, refuses a data dir the postgres user cannot reach, telling the user to choose another (root only)',
    async () => {
      const locked = tempDir('stack-locked');
      fs.chmodSync(locked, 0o700);
      const dataDir = path.join(locked, 'sub', 'data');
      const child = launch(['--data-dir', dataDir, '--seed', 'demo']);
      const exit = await waitForExit(child, 60_000);
      expect(exit, describeOutput(child)).toEqual({ code: 1, signal: null });
      expect(child.stderr()).toMatch(/cannot enter/);
      expect(child.stderr()).toContain(locked);
      expect(child.stderr()).toMatch(/choose a data dir/i);
      expect(child.stdout()).toBe('');
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION')), 'initdb never ran').toBe(false);
      expect(findProcesses(locked)).toEqual([]);
    },
    120_000,
  );
});
