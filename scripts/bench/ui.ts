/**
 * npm run bench:ui -- [--scale 100] [--visits 20] [--searches 100]
 *
 * The Devices screen as the dispatcher of the largest demo org uses it: browser mode (start-web, its
 * own process) in Debian's Chromium driven by Playwright, against the stack in its own process
 * (stack-child.ts), after a real sign-in and the whole initial sync. Two figures, each against a
 * baseline from the same page in the same run:
 *  - navigation: from My work, a click on the Devices nav link until the section reports its
 *    untouched view settled (data-devices-loading=false, data-devices-total set) with a device row
 *    in the DOM. Baseline: the screen's first window (devices:query, default sort, offset 0, one
 *    page) as a bare bridge call. screen / raw is THE figure;
 *  - serial search: --searches fragments of real serials (prefixes and inner fragments of 3–8
 *    characters, picked from the replica with a fixed seed) filled into 'Search serial numbers',
 *    from the input event until the section reports that search settled. The screen's debounce is
 *    part of that time; it is also shown subtracted. Baseline: the same devices:query, bare.
 * Every time is taken inside the page with performance.now() (a MutationObserver on the hooks of
 * renderer/README.md), so Playwright's round trips are not in it. Each run starts once the bridge
 * has been quiet for QUIET_MS: the bare first-window call is made on My work just before each
 * visit; bare searches and screen searches alternate which goes first.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { INVOKE_PATH } from '../../electron/bridge/bridge.js';
import type { ChannelInput } from '../../shared/api/contract.js';
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { spawnChild, stopChild, waitForLine, type ChildHandle } from '../../sync/server/testing/child.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { arg, fmt, median, percentile } from './stats.js';
import {
  armSearch,
  bridgeQuiet,
  DEVICES_SECTION,
  goToMyWork,
  installTracker,
  PAGE_PRELUDE,
  rawQuery,
  searchResult,
  syncIdle,
  takeCalls,
  visitDevices,
} from './ui-page.js';

const SCALE = arg('scale', 100);
const VISITS = arg('visits', 20);
const SEARCHES = arg('searches', 100);
const EMAIL = 'dispatch@northwind.test';
const QUIET_MS = 150;
const RUN_TIMEOUT_MS = 30_000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The same flags as playwright.config.ts: Debian's Chromium, never a downloaded browser.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const log = (s: string) => process.stdout.write(s + '\n');
const progress = (s: string) => process.stderr.write(`… ${s}\n`);
const ms = (x: number) => `${fmt(x, x < 10 ? 1 : 0)} ms`;

/** A constant of the renderer, read from its source: scripts may not import renderer code. */
function rendererConstant(file: string, name: string): number {
  const m = new RegExp(`const ${name} = (\\d[\\d_]*);`).exec(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  if (!m) throw new Error(`${file} no longer defines ${name} as a number: update scripts/bench/ui.ts`);
  return Number(m[1]!.replace(/_/g, ''));
}
const DEBOUNCE_MS = rendererConstant('renderer/screens/Devices.tsx', 'SERIAL_DEBOUNCE_MS');
const PAGE_SIZE = rendererConstant('renderer/stores/use-device-windows.ts', 'DEVICE_PAGE_SIZE');
const DEFAULT_SORT = { column: 'serialNumber', direction: 'asc' } as const;

// --- Processes and the temp dir: stopped and removed at the end and on failure -------------------
const dir = makeTempDir('bench-ui');
let stack: ChildHandle | undefined;
let web: ChildHandle | undefined;
let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;

async function stop(child: ChildHandle | undefined, name: string): Promise<void> {
  if (!child) return;
  try {
    await stopChild(child, 'SIGTERM', 60_000);
  } catch {
    progress(`${name} did not stop within 60 s of SIGTERM; killing it`);
    await stopChild(child, 'SIGKILL', 10_000).catch(() => undefined);
  }
}
let cleaned: Promise<void> | undefined;
const cleanup = () =>
  (cleaned ??= (async () => {
    await browser?.close().catch(() => undefined);
    await stop(web, 'start-web');
    await stop(stack, 'the stack');
    fs.rmSync(dir, { recursive: true, force: true });
  })());
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    interrupted = true;
    progress(`${signal}: stopping Chromium, start-web and the stack, removing ${dir}`);
    void cleanup().then(() => process.exit(130));
  });

const quiet = (page: Page) => page.waitForFunction(bridgeQuiet, QUIET_MS, { timeout: 60_000 });

// --- Serial fragments ------------------------------------------------------------------------------
/** mulberry32: the same fragments in every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Distinct fragments of real serials, alternating prefixes and inner fragments of 3–8 characters. */
function pickFragments(serials: readonly string[], n: number): { term: string; kind: 'prefix' | 'inner' }[] {
  const random = seeded(0x5e71a1);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const out = new Map<string, 'prefix' | 'inner'>();
  for (let tries = 0; out.size < n && tries < n * 100; tries++) {
    const serial = serials[int(0, serials.length - 1)]!;
    const kind = out.size % 2 === 0 ? 'prefix' : 'inner';
    const len = Math.min(int(3, 8), serial.length - (kind === 'inner' ? 1 : 0));
    if (len < 3) continue;
    const start = kind === 'prefix' ? 0 : int(1, serial.length - len);
    const term = serial.slice(start, start + len);
    if (term.trim() === term && !out.has(term.toLowerCase())) out.set(term, kind);
  }
  if (out.size < n) throw new Error(`found only ${out.size} distinct serial fragments for ${n} searches`);
  return [...out].map(([term, kind]) => ({ term, kind }));
}

function workingTree(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const paths = ['renderer', 'electron', 'shared', 'sync/client'];
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...paths], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    const listed = dirty.length > 4 ? [...dirty.slice(0, 4), `${dirty.length - 4} more`] : dirty;
    return dirty.length ? `${head} + uncommitted changes in ${listed.join(', ')}` : `${head} (clean)`;
  } catch {
    return 'unknown (no git)';
  }
}

// --- The benchmark -----------------------------------------------------------------------------------
async function main(): Promise<void> {
  const loadStart = os.loadavg()[0]!;
  progress(`starting the stack with demo data at --scale ${SCALE} (seeding takes a while)`);
  stack = spawnChild(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./stack-child.ts', import.meta.url)),
      ...['--data-dir', path.join(dir, 'stack'), '--seed', 'demo', '--scale', String(SCALE), '--port', '0'],
    ],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ELECTRIC_URL: '' } },
  );
  const ready = JSON.parse((await waitForLine(stack, /^\{.*\}$/, { timeoutMs: 20 * 60_000 }))[0]) as {
    gatewayUrl: string;
    databaseUrl: string;
  };

  progress('starting browser mode (builds the renderer first if its sources changed)');
  const appDir = path.join(dir, 'app');
  web = spawnChild(
    process.execPath,
    ['--import', 'tsx', 'scripts/start-web.ts', '--port', '0', '--data-dir', appDir, '--server', ready.gatewayUrl],
    { cwd: ROOT },
  );
  const appUrl = (await waitForLine(web, /App ready at (http:\/\/127\.0\.0\.1:\d+\/)/, { timeoutMs: 10 * 60_000 }))[1]!;

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
    // Ours stop everything in order; Playwright's own SIGINT handler would exit before the children stopped.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript({ content: PAGE_PRELUDE });
  await page.addInitScript(installTracker, INVOKE_PATH);
  await page.goto(appUrl);

  progress(`signing in as ${EMAIL}; the initial sync follows`);
  await page.getByLabel('Server address').fill(ready.gatewayUrl);
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  const signInAt = performance.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForFunction(syncIdle, null, { timeout: 30 * 60_000, polling: 100 });
  const syncMs = performance.now() - signInAt;

  // What was synced, from the replica (read-only, beside the app), and the org's devices in Postgres.
  const replicaFiles = fs.readdirSync(path.join(appDir, 'replicas')).filter((f) => f.endsWith('.db'));
  if (replicaFiles.length !== 1) throw new Error(`expected one replica, found ${replicaFiles.join(', ') || 'none'}`);
  const replica = new Database(path.join(appDir, 'replicas', replicaFiles[0]!), {
    readonly: true,
    fileMustExist: true,
  });
  const tableRows = SYNCED_TABLES.map(
    (t) => replica.prepare(`select count(*) from "${t.name}"`).pluck().get() as number,
  );
  const serials = replica
    .prepare('select serial_number from devices where deleted_at is null')
    .pluck()
    .all() as string[];
  const org = replica.prepare('select distinct organization_id from devices').pluck().all() as string[];
  replica.close();
  if (org.length !== 1) throw new Error(`the replica's devices belong to ${org.length} organizations`);
  const db = new pg.Client({ connectionString: ready.databaseUrl });
  await db.connect();
  const orgName = (await db.query('select name from organizations where id = $1', [org[0]])).rows[0]?.name as string;
  const pgDevices = Number(
    (await db.query('select count(*) from devices where organization_id = $1 and deleted_at is null', [org[0]])).rows[0]
      .count,
  );
  await db.end();
  if (pgDevices !== serials.length)
    throw new Error(`the replica has ${serials.length} live devices, Postgres ${pgDevices}`);

  // --- Figure 1: My work → Devices --------------------------------------------------------------
  progress(`navigation: 1 first visit + ${VISITS} measured, each after a bare first-window call`);
  const firstWindow: ChannelInput<'devices:query'> = { sort: DEFAULT_SORT, offset: 0, limit: PAGE_SIZE };
  const screenNav: number[] = [];
  const frameNav: number[] = [];
  const rawNav: number[] = [];
  let firstVisit = 0;
  let screenTotal = 0;
  let visitCalls = '';
  for (let v = 0; v <= VISITS; v++) {
    await page.evaluate(goToMyWork);
    await page.locator('#my-work-title').waitFor();
    await quiet(page);
    const raw = await page.evaluate(rawQuery, { invokePath: INVOKE_PATH, input: firstWindow });
    await quiet(page);
    await page.evaluate(takeCalls);
    const shown = await page.evaluate(visitDevices, { section: DEVICES_SECTION, timeoutMs: RUN_TIMEOUT_MS });
    screenTotal = Number(await page.locator(DEVICES_SECTION).getAttribute('data-devices-total'));
    if (screenTotal !== raw.total)
      throw new Error(`the screen shows ${screenTotal} devices, the bare call ${raw.total}`);
    if (v === 0) {
      firstVisit = shown.dom;
      continue;
    }
    screenNav.push(shown.dom);
    frameNav.push(shown.frame);
    rawNav.push(raw.ms);
    if (v === 1) {
      await quiet(page);
      const calls = await page.evaluate(takeCalls);
      visitCalls = calls
        .map((c) => {
          if (c.channel !== 'devices:query') return c.channel;
          const i = c.input as { offset?: number; limit?: number };
          return `devices:query (offset ${i.offset}, limit ${i.limit})`;
        })
        .join(', ');
    }
  }
  if (screenTotal !== serials.length) throw new Error(`the screen shows ${screenTotal} of ${serials.length} devices`);

  // --- Figure 2: serial search ------------------------------------------------------------------
  const fragments = pickFragments(serials, SEARCHES);
  progress(`serial search: ${SEARCHES} searches, each beside the same bare devices:query`);
  const box = page.getByLabel('Search serial numbers');
  const screenSearch: number[] = [];
  const rawSearch: number[] = [];
  const totals: number[] = [];
  for (const [i, { term }] of fragments.entries()) {
    const input: ChannelInput<'devices:query'> = { serial: term, sort: DEFAULT_SORT, offset: 0, limit: PAGE_SIZE };
    const bare = async () => {
      await quiet(page);
      return page.evaluate(rawQuery, { invokePath: INVOKE_PATH, input });
    };
    const screen = async () => {
      await quiet(page);
      const key = `serial=${encodeURIComponent(term)}&`;
      await page.evaluate(armSearch, { term, key, section: DEVICES_SECTION, timeoutMs: RUN_TIMEOUT_MS });
      await box.fill(term);
      return page.evaluate(searchResult);
    };
    // Alternating which goes first, so neither always finds the other's pages in the cache.
    let raw: Awaited<ReturnType<typeof bare>>;
    let shown: Awaited<ReturnType<typeof screen>>;
    if (i % 2 === 0) {
      raw = await bare();
      shown = await screen();
    } else {
      shown = await screen();
      raw = await bare();
    }
    if (shown.total !== raw.total)
      throw new Error(`"${term}": the screen shows ${shown.total} matches, the bare call ${raw.total}`);
    screenSearch.push(shown.ms);
    rawSearch.push(raw.ms);
    totals.push(shown.total);
  }
  const loadEnd = os.loadavg()[0]!;

  // --- Report ---------------------------------------------------------------------------------------
  const allRows = tableRows.reduce((a, b) => a + b, 0);
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const pcts = (xs: number[], withMax = false) =>
    `p50 ${ms(percentile(xs, 50)).padStart(8)}   p95 ${ms(percentile(xs, 95)).padStart(8)}` +
    (withMax ? `   max ${ms(Math.max(...xs)).padStart(8)}` : '');
  const ratio = (a: number[], b: number[]) =>
    `${fmt(percentile(a, 50) / percentile(b, 50), 1)} at p50, ${fmt(percentile(a, 95) / percentile(b, 95), 1)} at p95`;
  const line = (label: string, value: string) => log(`  ${label.padEnd(50)}${value}`);
  const minusDebounce = screenSearch.map((x) => x - DEBOUNCE_MS);
  const prefixes = fragments.filter((f) => f.kind === 'prefix').length;

  log(
    `bench:ui — the Devices screen in browser mode as ${EMAIL} (${orgName}) at --scale ${SCALE}: ` +
      `${fmt(serials.length)} devices (replica: ${fmt(allRows)} rows in ${SYNCED_TABLES.length} synced tables)`,
  );
  log(
    `machine: ${process.platform}/${process.arch}, ${os.availableParallelism()} cores (${cpu}), ` +
      `${fmt(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, Chromium ${browser.version()} headless; ` +
      `load average ${fmt(loadStart, 2)} at the start, ${fmt(loadEnd, 2)} at the end`,
  );
  log(
    '  other work may be running on this machine (the app, the stack and Chromium share its cores): figures are noisy',
  );
  log(`code: ${workingTree()}`);
  log(`initial sync after sign-in (click on Sign in → data-sync-idle): ${fmt(syncMs / 1000, 1)} s`);
  log('');
  log(`════ bench:ui summary — times taken in the page (performance.now()) ════`);
  log(`navigation My work → Devices, ${VISITS} visits (first visit, not counted: ${ms(firstVisit)})`);
  line('screen: click → settled, device rows in the DOM', pcts(screenNav));
  line(`raw: devices:query, first window (${PAGE_SIZE} rows)`, pcts(rawNav));
  line('► ratio screen / raw', ratio(screenNav, rawNav));
  line('screen: click → the next animation frame', pcts(frameNav));
  line('calls the screen made during a visit', visitCalls);
  log(
    `serial search, ${SEARCHES} searches (${prefixes} prefixes, ${SEARCHES - prefixes} inner fragments, 3–8 characters; ` +
      `matches ${fmt(Math.min(...totals))}–${fmt(Math.max(...totals))}, median ${fmt(median(totals))})`,
  );
  line('screen: input event → that search settled', pcts(screenSearch, true));
  line(`screen minus its ${DEBOUNCE_MS} ms debounce`, pcts(minusDebounce, true));
  line(`raw: devices:query, same serial (≤ ${PAGE_SIZE} rows)`, pcts(rawSearch, true));
  line('► ratio screen / raw', ratio(screenSearch, rawSearch));
  line('ratio (screen − debounce) / raw', ratio(minusDebounce, rawSearch));
  log(
    '  raw = the bare bridge call from the same page (fetch + JSON); the screen adds the API client, React, the DOM.',
  );
  log(`  The debounce is SERIAL_DEBOUNCE_MS in renderer/screens/Devices.tsx (${DEBOUNCE_MS} ms): no query before it.`);
  log('  Percentiles are nearest-rank samples; no limit is asserted.');
}

try {
  await main();
} catch (e) {
  process.exitCode = 1;
  if (!interrupted) console.error(e instanceof Error ? (e.stack ?? e.message) : e);
} finally {
  await cleanup();
}
process.exit();
