/**
 * npm run bench:replica -- [--scale 100] [--runs 3] [--pglite-insert insert|csv|json]
 *
 * End-to-end initial sync of the `devices` table, as the technician of the largest demo org sees it,
 * into a fresh local store, all through the gateway, in one run on the same data:
 *  - ours: openReplica + ShapeConsumer (SQLite replica), until isLive();
 *  - raw: the same rows, already in memory, upserted into a fresh replica file (same schema and
 *    pragmas) with one prepared INSERT … ON CONFLICT DO UPDATE in one transaction: the best case.
 *    ours / raw is THE figure;
 *  - pglite-sync: the official @electric-sql/pglite-sync into a PGlite table with the same columns
 *    and indexes (default initialInsertMethod `insert` unless --pglite-insert says otherwise).
 * Alternating ours → pglite-sync → raw, --runs times; then ours once more for ALL synced tables.
 * Every client runs in its own process (replica-child.ts, replica-pglite-child.ts) sampling its RSS
 * every ~50 ms; replica-probe.ts says how "10 % of the rows" is known. The stack runs in its own
 * process too (stack-child.ts), as in bench:sync.
 *
 * Before the runs, one pass with the official client through the gateway counts every table's rows
 * (checked against Postgres) and thereby creates the shapes: the measured runs all read the same
 * already-created shape logs, as a new device of an org whose shapes exist does. Cold shape creation
 * is what bench:sync measures.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ENGINE_HEAP_LIMIT_MB } from '../../sync/client/engine/sync-engine.js';
import { isChangeMessage, isControlMessage, ShapeStream, type Message, type Row } from '@electric-sql/client';
import pg from 'pg';
import { COLUMN_KINDS } from '../../shared/schema/columns.js';
import { primaryKey, publicColumnNames } from '../../shared/schema/table.js';
import { SYNCED_TABLES, tableByName } from '../../shared/schema/tables.js';
import { openReplica } from '../../sync/client/replica/open-replica.js';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import {
  memoryFigures,
  rssAtFraction,
  type ChildLine,
  type ChildResult,
  type MemoryFigures,
  type Sample,
} from './replica-probe.js';
import { arg, fmt, median } from './stats.js';

const SCALE = arg('scale', 100);
const RUNS = arg('runs', 3);
const PGLITE_INSERT = strArg('pglite-insert', 'insert', ['insert', 'csv', 'json']);
const EMAIL = 'tech@northwind.test';
const CHILD_TIMEOUT_MS = 20 * 60_000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const version = (name: string) =>
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

function strArg(name: string, fallback: string, allowed: readonly string[]): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1] ?? '';
  if (!allowed.includes(v)) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return v;
}

const log = (s: string) => process.stdout.write(s + '\n');
const progress = (s: string) => process.stderr.write(`… ${s}\n`);
const mib = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${fmt(bytes / 2 ** 20)} MiB`);
const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

// --- Processes and temp dirs, stopped and removed at the end and on failure --------------------
const stackDir = makeTempDir('bench-replica-stack');
const clientDir = makeTempDir('bench-replica-clients');
const children = new Set<ChildProcess>();
let stack: ChildProcess | undefined;

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

let cleaned: Promise<void> | undefined;
const cleanup = () =>
  (cleaned ??= (async () => {
    await Promise.all([...children].map(stop));
    if (stack) await stop(stack);
    fs.rmSync(clientDir, { recursive: true, force: true });
    fs.rmSync(stackDir, { recursive: true, force: true });
  })());
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    interrupted = true;
    progress(`${signal}: stopping the clients and the stack, removing the temp dirs`);
    void cleanup().then(() => process.exit(130));
  });

// --- The stack -----------------------------------------------------------------------------------
type Ready = { gatewayUrl: string; databaseUrl: string };
async function startStack(): Promise<Ready> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./stack-child.ts', import.meta.url)),
      '--data-dir',
      stackDir,
      '--seed',
      'demo',
      '--scale',
      String(SCALE),
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', ELECTRIC_URL: '' } },
  );
  stack = child;
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c).slice(-20_000)));
  const first = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`stack exited (${code}):\n${stderr}`)));
  });
  return JSON.parse(first) as Ready;
}

// --- Session (access tokens live 15 minutes; refreshed well before) ------------------------------
type Session = {
  access_token: string;
  refresh_token: string;
  memberships: { organization_id: string; organization_name: string }[];
};
async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

// --- Child processes -----------------------------------------------------------------------------
type ChildRun = { result: ChildResult; samples: Sample[] };
function runChild(script: string, args: string[], token: string): Promise<ChildRun> {
  // --expose-gc only lets the child measure what stays after a full GC once its timing has ended.
  const entry = fileURLToPath(new URL(script, import.meta.url));
  // Our client runs with the heap cap its worker thread gets in the app (engine/sync-engine.ts).
  const flags =
    script === './replica-child.ts' && args[0] === 'ours' ? [`--max-old-space-size=${ENGINE_HEAP_LIMIT_MB}`] : [];
  const child = spawn(process.execPath, [...flags, '--expose-gc', '--import', 'tsx', entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_TOKEN: token },
    cwd: ROOT,
  });
  children.add(child);
  const samples: Sample[] = [];
  let result: ChildResult | undefined;
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c).slice(-20_000)));
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    let parsed: ChildLine;
    try {
      parsed = JSON.parse(line) as ChildLine;
    } catch {
      stderr += `${line}\n`;
      return;
    }
    if (parsed.kind === 'sample') samples.push(parsed);
    else result = parsed;
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), CHILD_TIMEOUT_MS);
  return new Promise((resolve, reject) =>
    // 'close' comes after the process exited and its stdout was read to the end.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0 && result) resolve({ result, samples });
      else reject(new Error(`${script} ${args[0]} failed (${signal ?? `exit ${code}`}):\n${stderr}`));
    }),
  );
}

// --- PGlite DDL: the columns the shape returns, their Postgres types, the replica's indexes -------
function pgliteDdl(): string {
  const table = tableByName('devices')!;
  const columns = publicColumnNames(table);
  const { db } = openReplica(':memory:');
  try {
    const replicaColumns = (db.pragma(`table_info(${q(table.name)})`) as { name: string }[]).map((c) => c.name);
    if (replicaColumns.join() !== columns.join())
      throw new Error(`replica columns ${replicaColumns.join()} differ from the shape's ${columns.join()}`);
    const defs = columns.map((n) => {
      const c = table.columns[n]!;
      return `${q(n)} ${COLUMN_KINDS[c.kind].pg}${c.nullable ? '' : ' NOT NULL'}`;
    });
    const ddl = [
      `CREATE TABLE ${q(table.name)} (${defs.join(', ')}, PRIMARY KEY (${primaryKey(table).map(q).join(', ')}));`,
    ];
    const indexes = (db.pragma(`index_list(${q(table.name)})`) as { name: string; origin: string }[]).filter(
      (i) => i.origin === 'c',
    );
    for (const i of indexes) {
      const keys = (db.pragma(`index_xinfo(${q(i.name)})`) as { key: number; name: string | null; coll: string }[])
        .filter((k) => k.key === 1)
        .map((k) => {
          if (k.name === null) throw new Error(`index ${i.name} has an expression; translate it by hand`);
          // A NOCASE index in SQLite costs about what an index on lower(col) costs in Postgres.
          return k.coll.toUpperCase() === 'NOCASE' ? `lower(${q(k.name)})` : q(k.name);
        });
      ddl.push(`CREATE INDEX ${q(i.name)} ON ${q(table.name)} (${keys.join(', ')});`);
    }
    return ddl.join('\n');
  } finally {
    db.close();
  }
}

async function gatewayCount(gatewayUrl: string, table: string, token: string): Promise<number> {
  const abort = new AbortController();
  const stream = new ShapeStream({
    url: `${gatewayUrl}/v1/shape`,
    params: { table },
    headers: { Authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  let rows = 0;
  await new Promise<void>((resolve, reject) =>
    stream.subscribe((msgs: Message<Row>[]) => {
      for (const m of msgs) {
        if (isChangeMessage(m)) rows++;
        else if (isControlMessage(m) && m.headers.control === 'up-to-date') resolve();
      }
    }, reject),
  );
  abort.abort();
  return rows;
}

function workingTree(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'sync/client', 'migrations/sqlite', 'shared'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    const listed = dirty.length > 4 ? [...dirty.slice(0, 4), `${dirty.length - 4} more`] : dirty;
    return dirty.length ? `${head} + uncommitted changes in ${listed.join(', ')}` : `${head} (clean)`;
  } catch {
    return 'unknown (no git)';
  }
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * With ≥ 3 runs: run 1 is called a warm-up when the other runs agree (spread ≤ 20 %) and run 1 is
 * more than 20 % off them; otherwise a spread over 30 % is called noise.
 */
function warmupNote(rates: number[]): string {
  if (rates.length < 3) return '';
  const rest = rates.slice(1);
  const restMean = mean(rest);
  const restSpread = (Math.max(...rest) - Math.min(...rest)) / restMean;
  const off = (rates[0]! - restMean) / restMean;
  if (restSpread <= 0.2 && Math.abs(off) > 0.2)
    return `  — run 1 is ${fmt(off * 100)} % off the others (mean ${fmt(restMean)}): a warm-up`;
  const spread = (Math.max(...rates) - Math.min(...rates)) / median(rates);
  return spread > 0.3 ? `  — noisy: runs spread ${fmt(spread * 100)} % of the median` : '';
}

const medianOf = (figs: MemoryFigures[], pick: (m: MemoryFigures) => number | undefined) => {
  const xs = figs.map(pick).filter((x): x is number => x !== undefined);
  return xs.length ? median(xs) : undefined;
};
// --- The benchmark -------------------------------------------------------------------------------
async function main(): Promise<void> {
  progress(`starting the stack with demo data at --scale ${SCALE} (seeding takes a while)`);
  const ready = await startStack();
  let session = await postJson<Session>(`${ready.gatewayUrl}/v1/auth/login`, { email: EMAIL, password: DEMO_PASSWORD });
  let issuedAt = performance.now();
  const token = async () => {
    if (performance.now() - issuedAt > 5 * 60_000) {
      session = await postJson<Session>(`${ready.gatewayUrl}/v1/auth/refresh`, {
        refresh_token: session.refresh_token,
      });
      issuedAt = performance.now();
    }
    return session.access_token;
  };
  const membership = session.memberships[0]!;
  const org = membership.organization_id;

  // Row counts under the technician's org, from Postgres and through the gateway (which also
  // creates every shape once; see the header).
  const db = new pg.Client({ connectionString: ready.databaseUrl });
  await db.connect();
  const expected: Record<string, number> = {};
  for (const t of SYNCED_TABLES) {
    const r = await db.query(`select count(*) as n from ${q(t.name)} where ${q(t.scope)} = $1`, [org]);
    expected[t.name] = Number(r.rows[0].n);
  }
  await db.end();
  progress('counting every table through the gateway (creates the shapes)');
  const warmStarted = performance.now();
  let devicesWarmSecs = 0;
  for (const t of SYNCED_TABLES) {
    const started = performance.now();
    const n = await gatewayCount(ready.gatewayUrl, t.name, await token());
    if (t.name === 'devices') devicesWarmSecs = (performance.now() - started) / 1000;
    if (n !== expected[t.name])
      throw new Error(`${t.name}: gateway returned ${n} rows, Postgres counts ${expected[t.name]}`);
  }
  const warmSecs = (performance.now() - warmStarted) / 1000;
  const devices = expected.devices!;
  const allRows = Object.values(expected).reduce((a, b) => a + b, 0);
  const ddl = pgliteDdl();

  log(
    `bench:replica — initial sync of devices as ${EMAIL} (${membership.organization_name}) at --scale ${SCALE}: ` +
      `${fmt(devices)} rows (all ${SYNCED_TABLES.length} synced tables: ${fmt(allRows)} rows)`,
  );
  log(
    `machine: ${process.platform}/${process.arch}, ${os.availableParallelism()} cores, node ${process.version}; ` +
      'other work may be running on it, so figures are noisy',
  );
  log(`code: ${workingTree()}`);
  log(
    `peer: @electric-sql/pglite-sync ${version('@electric-sql/pglite-sync')} + @electric-sql/pglite ${version('@electric-sql/pglite')} ` +
      `(its own @electric-sql/client ${version('@electric-sql/pglite-sync/node_modules/@electric-sql/client')}; ours uses ${version('@electric-sql/client')}), ` +
      `initialInsertMethod ${PGLITE_INSERT}, PGlite data dir on disk`,
  );
  log(
    `warm-up: shapes created and counted through the gateway in ${fmt(warmSecs, 1)} s ` +
      `(devices ${fmt(devicesWarmSecs, 1)} s = ${fmt(devices / devicesWarmSecs)} rows/s, cold); runs alternate ours → pglite-sync → raw`,
  );

  const ours: ChildRun[] = [];
  const peer: ChildRun[] = [];
  const raw: ChildRun[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const file = path.join(clientDir, `ours-${run}.sqlite`);
    progress(`run ${run}/${RUNS}: ours`);
    const o = await runChild(
      './replica-child.ts',
      ['ours', file, 'devices', ready.gatewayUrl, JSON.stringify(expected)],
      await token(),
    );
    ours.push(o);
    progress(`run ${run}/${RUNS}: pglite-sync`);
    const p = await runChild(
      './replica-pglite-child.ts',
      [path.join(clientDir, `pglite-${run}`), ready.gatewayUrl, String(devices), PGLITE_INSERT, ddl],
      await token(),
    );
    peer.push(p);
    progress(`run ${run}/${RUNS}: raw upsert`);
    const r = await runChild('./replica-child.ts', ['raw', file, path.join(clientDir, `raw-${run}.sqlite`)], '');
    raw.push(r);
    for (const f of fs.readdirSync(clientDir)) fs.rmSync(path.join(clientDir, f), { recursive: true, force: true });
    const rate = (c: ChildRun) => c.result.rows / c.result.secs;
    log(
      `run ${run}/${RUNS}  ours ${fmt(rate(o))} rows/s (${fmt(o.result.secs, 2)} s, sync peak RSS ${mib(memoryFigures(o.samples, o.result, devices).peakSampled)})  ` +
        `pglite-sync ${fmt(rate(p))} rows/s (${fmt(p.result.secs, 2)} s, sync peak RSS ${mib(memoryFigures(p.samples, p.result, devices).peakSampled)})  ` +
        `raw upsert ${fmt(rate(r))} rows/s (${fmt(r.result.secs, 2)} s)`,
    );
  }
  progress('ours, all synced tables');
  const all = await runChild(
    './replica-child.ts',
    ['ours', path.join(clientDir, 'ours-all.sqlite'), 'all', ready.gatewayUrl, JSON.stringify(expected)],
    await token(),
  );

  const rates = (xs: ChildRun[]) => xs.map((c) => c.result.rows / c.result.secs);
  const [oursRates, peerRates, rawRates] = [rates(ours), rates(peer), rates(raw)];
  const [oursMed, peerMed, rawMed] = [median(oursRates), median(peerRates), median(rawRates)];
  const runsOf = (xs: number[]) => `(runs: ${xs.map((x) => fmt(x)).join(', ')})`;
  const oursMem = ours.map((c) => memoryFigures(c.samples, c.result, devices));
  const peerMem = peer.map((c) => memoryFigures(c.samples, c.result, devices));
  const allMem = memoryFigures(all.samples, all.result, allRows);
  const steps = ours[0]!.result.committedSteps ?? [];
  const stepText =
    steps.length <= 6
      ? steps.map((s) => fmt(s)).join(' → ')
      : `${steps
          .slice(0, 3)
          .map((s) => fmt(s))
          .join(' → ')} → … → ${fmt(steps.at(-1)!)}`;

  const line = (label: string, value: string) => log(`${label.padEnd(44)}${value}`);
  log('');
  log(`════ bench:replica summary — devices, ${fmt(devices)} rows, medians of ${RUNS} runs ════`);
  line(
    `ours (engine → SQLite, ${ENGINE_HEAP_LIMIT_MB} MiB heap cap)`,
    `${fmt(oursMed)} rows/s   ${runsOf(oursRates)}${warmupNote(oursRates)}`,
  );
  line(
    'raw better-sqlite3 upsert, rows in memory',
    `${fmt(rawMed)} rows/s   ${runsOf(rawRates)}${warmupNote(rawRates)}`,
  );
  line('► ratio ours / raw', fmt(oursMed / rawMed, 3));
  line(
    `pglite-sync → PGlite (${PGLITE_INSERT})`,
    `${fmt(peerMed)} rows/s   ${runsOf(peerRates)}${warmupNote(peerRates)}`,
  );
  line('ratio ours / pglite-sync', fmt(oursMed / peerMed, 2));
  line(
    `ours, all ${SYNCED_TABLES.length} synced tables (once)`,
    `${fmt(all.result.rows / all.result.secs)} rows/s   (${fmt(all.result.rows)} rows in ${fmt(all.result.secs, 2)} s)`,
  );
  log('');
  const cell = (v: number | undefined, sign = false) =>
    (v === undefined ? 'n/a' : `${sign && v >= 0 ? '+' : ''}${fmt(v / 2 ** 20)}`).padStart(11);
  const memRow = (label: string, figs: MemoryFigures[]) =>
    log(
      label.padEnd(30) +
        [
          cell(medianOf(figs, (m) => m.baseline)),
          cell(medianOf(figs, (m) => m.peakSampled)),
          cell(medianOf(figs, (m) => m.peakKernel)),
          cell(medianOf(figs, (m) => m.at10)),
          cell(medianOf(figs, (m) => m.at100)),
          cell(
            medianOf(figs, (m) => m.growth),
            true,
          ),
          cell(medianOf(figs, (m) => m.afterGc)),
          cell(medianOf(figs, (m) => m.heapAfterGc)),
        ].join(''),
    );
  log(
    `${'client RSS, MiB (medians)'.padEnd(30)}${[
      'before',
      'sync peak',
      'lifetime',
      'at 10 %',
      'at 100 %',
      '10→100 %',
      'GC: RSS',
      'GC: heap',
    ]
      .map((h) => h.padStart(11))
      .join('')}`,
  );
  memRow('ours, devices', oursMem);
  memRow('pglite-sync, devices', peerMem);
  memRow(`ours, all tables (once)`, [allMem]);
  log(
    '  before = just before the sync; sync peak = highest 50 ms sample during the sync; lifetime = the kernel high-water',
  );
  log(
    '  mark of the whole process, startup included; at 10 % / 100 % of the rows, progress counted as ' +
      `${oursMem[0]!.progressBy} (ours), ${peerMem[0]!.progressBy} (pglite-sync); 100 % = the moment the sync was done;`,
  );
  log('  GC: RSS and V8 heap used after a full GC right after that moment, the sync still open (what it retains).');
  log(
    `raw upsert child (all rows held in memory): before the insert ${mib(median(raw.map((c) => c.result.rssBefore)))}, ` +
      `after ${mib(median(raw.map((c) => c.result.rssAtDone)))}, lifetime ${mib(median(raw.map((c) => c.result.maxRss)))}`,
  );
  const gcDetail = (xs: ChildRun[]) => {
    const m = (pick: (r: ChildResult) => number | undefined) =>
      mib(median(xs.map((c) => pick(c.result) ?? Number.NaN)));
    return `heap used ${m((r) => r.heapAfterGc)} of ${m((r) => r.heapTotalAfterGc)}, external ${m((r) => r.externalAfterGc)}`;
  };
  log(`after GC, ours: ${gcDetail(ours)}; pglite-sync: ${gcDetail(peer)} (the rest of RSS is native/WASM memory)`);
  const curve = (xs: ChildRun[]) =>
    [0.1, 0.25, 0.5, 0.75, 1]
      .map((f) => {
        const v = xs.map((c) => rssAtFraction(c.samples, c.result, devices, f)).filter((x) => x !== undefined);
        return `${f * 100} % ${v.length ? fmt(median(v) / 2 ** 20) : 'n/a'}`;
      })
      .join(', ');
  log(`RSS (MiB) as the rows arrive, ours: ${curve(ours)}; pglite-sync: ${curve(peer)}`);
  log(`ours' committed row counts in run 1: ${stepText} (${steps.length} commit${steps.length === 1 ? '' : 's'})`);
  if (peer[0]!.result.note) log(`pglite-sync: ${peer[0]!.result.note}`);
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
