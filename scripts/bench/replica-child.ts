/**
 * A client process of bench:replica (its own process, so its RSS is its own). Two modes:
 *
 *   ours <replica-file> <devices|all> <gateway-url> <expected-json>
 *     Initial sync into a fresh replica with our engine (openReplica + ShapeConsumer) until
 *     isLive(); token in BENCH_TOKEN. Prints RSS samples, then the result (replica-probe.ts).
 *
 *   raw <source-replica> <target-file>
 *     The best case for the same rows: reads the devices rows out of the replica `ours` filled (into
 *     memory, untimed), then upserts them into a fresh replica (same schema and pragmas via
 *     openReplica) with one prepared INSERT … ON CONFLICT DO UPDATE in one transaction (timed).
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { primaryKey } from '../../shared/schema/table.js';
import { SYNCED_TABLES, tableByName } from '../../shared/schema/tables.js';
import { openReplica } from '../../sync/client/replica/open-replica.js';
import { ShapeConsumer } from '../../sync/client/shape-consumer.js';
import { afterGc, countingFetch, emit, maxRssBytes, startSampler, type Counters } from './replica-probe.js';

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
const [mode, ...args] = process.argv.slice(2);

if (mode === 'ours') {
  const [file, which, gatewayUrl, expectedJson] = args as [string, string, string, string];
  const token = process.env.BENCH_TOKEN ?? '';
  const expected = JSON.parse(expectedJson) as Record<string, number>;
  const tables = which === 'all' ? SYNCED_TABLES : [tableByName(which)!];
  const { db } = openReplica(file);
  const counters: Counters = { rows: 0, bytes: 0 };
  const committed = new Map<string, number>();
  const committedTotal = () => [...committed.values()].reduce((a, b) => a + b, 0);
  const committedSteps: number[] = [];
  const rssBefore = process.memoryUsage.rss();
  const sampler = startSampler(counters, committedTotal);
  const started = performance.now();
  const consumer = new ShapeConsumer({
    db,
    serverUrl: gatewayUrl,
    getToken: () => token,
    tables,
    fetchClient: countingFetch(fetch, counters),
  });
  await new Promise<void>((resolve) => {
    consumer.on('status', (s) => {
      if (committed.get(s.table) !== s.rows) {
        committed.set(s.table, s.rows);
        committedSteps.push(committedTotal());
      }
      if (s.phase === 'error' || s.phase === 'offline')
        process.stderr.write(`${s.table}: ${s.phase} ${JSON.stringify(s.lastError)}\n`);
      if (consumer.isLive()) resolve();
    });
    consumer.start();
  });
  const secs = (performance.now() - started) / 1000;
  const rssAtDone = process.memoryUsage.rss();
  sampler.stop();
  const retained = afterGc(); // the consumer is still open: what a live consumer keeps
  consumer.close();
  let rows = 0;
  for (const t of tables) {
    const n = db
      .prepare(`SELECT count(*) FROM ${q(t.name)}`)
      .pluck()
      .get() as number;
    if (n !== expected[t.name]) throw new Error(`${t.name}: replica holds ${n} rows, expected ${expected[t.name]}`);
    rows += n;
  }
  db.close();
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
    committedSteps,
  });
} else if (mode === 'raw') {
  const [source, target] = args as [string, string];
  const table = tableByName('devices')!;
  const src = new Database(source, { readonly: true });
  // safeIntegers: int8 columns come back as bigint, as the engine binds them.
  const select = src
    .prepare(`SELECT * FROM ${q(table.name)}`)
    .raw()
    .safeIntegers(true);
  const columns = select.columns().map((c) => c.name);
  const rows = select.all() as unknown[][];
  src.close();
  const { db } = openReplica(target);
  const pk = primaryKey(table);
  const rest = columns.filter((c) => !pk.includes(c));
  const upsert = db.prepare(
    `INSERT INTO ${q(table.name)} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
     ON CONFLICT (${pk.map(q).join(', ')}) DO UPDATE SET ${rest.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`,
  );
  const load = db.transaction((all: unknown[][]) => {
    for (const r of all) upsert.run(r);
  });
  const rssBefore = process.memoryUsage.rss();
  const started = performance.now();
  load.immediate(rows); // IMMEDIATE, as the engine's batches; the time includes COMMIT
  const secs = (performance.now() - started) / 1000;
  const rssAtDone = process.memoryUsage.rss();
  const n = db
    .prepare(`SELECT count(*) FROM ${q(table.name)}`)
    .pluck()
    .get() as number;
  if (n !== rows.length) throw new Error(`raw upsert left ${n} rows, expected ${rows.length}`);
  db.close();
  emit({
    kind: 'done',
    rows: rows.length,
    secs,
    rssBefore,
    rssAtDone,
    maxRss: maxRssBytes(),
    rx: 0,
    bytes: 0,
  });
} else {
  throw new Error(`unknown mode ${mode}; expected ours or raw`);
}
process.exit(0);
