/**
 * The peer client process of bench:replica: the official @electric-sql/pglite-sync syncing the same
 * `devices` shape from the same gateway into a PGlite table with the same columns (and the same
 * indexes as the replica), on disk in `data-dir`, until its initial sync is committed.
 *
 *   <data-dir> <gateway-url> <expected-rows> <insert|csv|json> <ddl>    (token in BENCH_TOKEN)
 *
 * Done = pglite-sync's onInitialSync, which it calls after the transaction holding the snapshot has
 * committed (its isUpToDate turns true earlier, when the stream is up to date but the rows are not
 * yet written). Like our engine, it persists its resume point (shapeKey) with every commit.
 */
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { electricSync, type InitialInsertMethod } from '@electric-sql/pglite-sync';
import { afterGc, countingFetch, emit, maxRssBytes, startSampler, type Counters } from './replica-probe.js';

const [dataDir, gatewayUrl, expectedText, method, ddl] = process.argv.slice(2) as [
  string,
  string,
  string,
  InitialInsertMethod,
  string,
];
const expected = Number(expectedText);
const token = process.env.BENCH_TOKEN ?? '';

const createStarted = performance.now();
const pg = await PGlite.create({ dataDir, extensions: { electric: electricSync() } });
await pg.exec(ddl);
const createSecs = (performance.now() - createStarted) / 1000;

const counters: Counters = { rows: 0, bytes: 0 };
const rssBefore = process.memoryUsage.rss();
const sampler = startSampler(counters, () => 0);
const started = performance.now();
let unsubscribe = () => {};
await new Promise<void>((resolve, reject) => {
  pg.electric
    .syncShapeToTable({
      shape: {
        url: `${gatewayUrl}/v1/shape`,
        params: { table: 'devices' },
        headers: { Authorization: `Bearer ${token}` },
        fetchClient: countingFetch(fetch, counters),
      },
      table: 'devices',
      primaryKey: ['id'],
      shapeKey: 'devices',
      initialInsertMethod: method,
      onInitialSync: resolve,
      onError: reject,
    })
    .then((sub) => (unsubscribe = sub.unsubscribe), reject);
});
const secs = (performance.now() - started) / 1000;
const rssAtDone = process.memoryUsage.rss();
sampler.stop();
const retained = afterGc(); // still subscribed: what a live sync keeps
unsubscribe();
const rows = Number((await pg.query<{ n: string }>('select count(*)::text as n from devices')).rows[0]!.n);
if (rows !== expected) throw new Error(`PGlite holds ${rows} rows, expected ${expected}`);
await pg.close();
emit({
  kind: 'done',
  rows,
  secs,
  rssBefore,
  rssAtDone,
  maxRss: maxRssBytes(),
  ...retained,
  rx: counters.rows,
  bytes: counters.bytes,
  note: `PGlite.create + DDL took ${createSecs.toFixed(2)} s (not timed)`,
});
process.exit(0);
