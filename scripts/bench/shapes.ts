/**
 * npm run bench:shapes -- [--rows 200000] [--updates 300]
 *
 * The shape service against the official client, each figure next to a baseline from the same run:
 *  - initial snapshot rows/s through @electric-sql/client vs `COPY (SELECT … WHERE …) TO STDOUT`
 *    of the same rows (the ratio is the figure);
 *  - commit-to-client latency of single-row updates with 10 and with 500 live shapes, stamped after
 *    COMMIT returns; nearest-rank percentiles;
 *  - the service's RSS (it runs as its own process, as in production).
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isChangeMessage, isControlMessage, ShapeStream, type Message, type Row } from '@electric-sql/client';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { freePort, startEmbeddedPostgres } from '../../sync/server/db/embedded-postgres.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { arg, fmt, median, percentile, rssMiB } from './stats.js';

const ROWS = arg('rows', 200_000);
const UPDATES = arg('updates', 300);
const dir = makeTempDir('bench-shapes');
const log = (s: string) => process.stdout.write(s + '\n');

const postgres = await startEmbeddedPostgres({ dataDir: dir });
const db = new pg.Client({ connectionString: postgres.url });
await db.connect();
await db.query(`create table bench_items (
  id int primary key, org int not null, title text not null, status text not null,
  amount_cents int8 not null, updated_at timestamptz not null default now())`);
await db.query(
  `insert into bench_items select g, g % 10, 'item ' || g, (array['open','done','blocked'])[1 + g % 3], g * 100
     from generate_series(1, $1) g`,
  [ROWS],
);
await db.query('vacuum analyze bench_items');

const port = await freePort();
const service = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('../../sync/server/shape-service/main.ts', import.meta.url))],
  {
    env: {
      ...process.env,
      DATABASE_URL: postgres.url,
      ELECTRIC_PORT: String(port),
      ELECTRIC_INSECURE: 'true',
      ELECTRIC_STORAGE_DIR: `${dir}/shapes`,
      ELECTRIC_REPLICATION_STREAM_ID: 'bench',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
let serviceErr = '';
service.stderr.on('data', (c: Buffer) => (serviceErr += c));
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/v1/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  if (i > 300) throw new Error(`shape service did not start:\n${serviceErr}`);
  await new Promise((r) => setTimeout(r, 100));
}
const rss: Record<string, number | undefined> = { start: rssMiB(service.pid!) };

// --- Snapshot throughput: COPY baseline vs the official client, same rows, 3 runs each ---------
const where = 'org >= $1';
async function copyRows(param: number): Promise<number> {
  const c = new pg.Client({ connectionString: postgres.url });
  await c.connect();
  const started = performance.now();
  let lines = 0;
  const stream = c.query(copyTo(`copy (select * from bench_items where org >= ${param}) to stdout`));
  for await (const chunk of stream as AsyncIterable<Buffer>) for (const b of chunk) if (b === 10) lines++;
  const secs = (performance.now() - started) / 1000;
  await c.end();
  if (lines !== ROWS) throw new Error(`COPY returned ${lines} rows, expected ${ROWS}`);
  return lines / secs;
}

async function clientSnapshot(param: number): Promise<number> {
  const abort = new AbortController();
  const stream = new ShapeStream({
    url: `${base}/v1/shape`,
    params: { table: 'bench_items', where, params: [String(param)] },
    signal: abort.signal,
  });
  const started = performance.now();
  let rows = 0;
  await new Promise<void>((resolve, reject) => {
    stream.subscribe(
      (msgs: Message<Row>[]) => {
        for (const m of msgs) {
          if (isChangeMessage(m)) rows++;
          else if (isControlMessage(m) && m.headers.control === 'up-to-date') resolve();
        }
      },
      (e) => reject(e),
    );
  });
  const secs = (performance.now() - started) / 1000;
  abort.abort();
  if (rows !== ROWS) throw new Error(`client received ${rows} rows, expected ${ROWS}`);
  return rows / secs;
}

const copyRates: number[] = [];
const clientRates: number[] = [];
for (let run = 0; run < 3; run++) {
  // A new where-param each run, so each run is a fresh shape and a fresh snapshot (same rows).
  clientRates.push(await clientSnapshot(-1 - run));
  copyRates.push(await copyRows(-1 - run));
}
rss.afterSnapshot = rssMiB(service.pid!);

// --- Commit-to-client latency -------------------------------------------------------------------
async function latency(shapeCount: number): Promise<number[]> {
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // one signal ends every stream of the run
  const waiting = new Map<number, { title: string; resolve: (t: number) => void }>();
  let ready = 0;
  const allReady = new Promise<void>((resolve) => {
    for (let id = 1; id <= shapeCount; id++) {
      const stream = new ShapeStream({
        url: `${base}/v1/shape`,
        params: { table: 'bench_items', where: `id = $1 and status <> 'x${shapeCount}'`, params: [String(id)] },
        signal: abort.signal,
      });
      let seenUpToDate = false;
      stream.subscribe((msgs: Message<Row>[]) => {
        const now = performance.now();
        for (const m of msgs) {
          if (isChangeMessage(m)) {
            const w = waiting.get(id);
            if (w && m.value.title === w.title) {
              waiting.delete(id);
              w.resolve(now);
            }
          } else if (!seenUpToDate && isControlMessage(m) && m.headers.control === 'up-to-date') {
            seenUpToDate = true;
            if (++ready === shapeCount) resolve();
          }
        }
      });
    }
  });
  await allReady;
  const samples: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const id = 1 + Math.floor(Math.random() * shapeCount);
    const title = `u${shapeCount}-${i}`;
    const arrived = new Promise<number>((resolve) => waiting.set(id, { title, resolve }));
    await db.query('update bench_items set title = $1 where id = $2', [title, id]);
    const committed = performance.now();
    samples.push((await arrived) - committed);
  }
  abort.abort();
  return samples;
}
const lat10 = await latency(10);
rss.after10 = rssMiB(service.pid!);
const lat500 = await latency(500);
rss.after500 = rssMiB(service.pid!);

log(
  `bench:shapes — ${fmt(ROWS)} rows, ${UPDATES} updates per latency run (machine: ${process.platform}/${process.arch}, node ${process.version})`,
);
log(
  `snapshot via official client  ${fmt(median(clientRates))} rows/s   (runs: ${clientRates.map((r) => fmt(r)).join(', ')})`,
);
log(
  `COPY … TO STDOUT baseline     ${fmt(median(copyRates))} rows/s   (runs: ${copyRates.map((r) => fmt(r)).join(', ')})`,
);
log(`ratio client / COPY           ${fmt(median(clientRates) / median(copyRates), 3)}`);
for (const [n, s] of [
  [10, lat10],
  [500, lat500],
] as const) {
  log(
    `commit→client, ${String(n).padStart(3)} live shapes  p50 ${fmt(percentile(s, 50), 1)} ms  p99 ${fmt(percentile(s, 99), 1)} ms  max ${fmt(Math.max(...s), 1)} ms  (n=${s.length})`,
  );
}
const mb = (v: number | undefined) => (v === undefined ? 'n/a' : `${fmt(v)} MiB`);
log(
  `service RSS  start ${mb(rss.start)}  after snapshots ${mb(rss.afterSnapshot)}  after 10 shapes ${mb(rss.after10)}  after 500 shapes ${mb(rss.after500)}`,
);

service.kill('SIGTERM');
await new Promise((r) => service.once('exit', r));
await db.end();
await postgres.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
