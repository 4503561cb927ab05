/**
 * npm run bench:sync -- [--scale 100] [--runs 3]
 *
 * Initial sync of the largest synced table (devices) with the official client, through the gateway
 * (token, authorization filter, proxying) and straight from the shape service with the very same
 * where-clause, alternating, in one run: the ratio is the gateway's overhead. The stack runs in its
 * own process, as in production.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isChangeMessage, isControlMessage, ShapeStream, type Message, type Row } from '@electric-sql/client';
import pg from 'pg';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { arg, fmt, median, rssMiB } from './stats.js';

const SCALE = arg('scale', 100);
const RUNS = arg('runs', 3);
const dir = makeTempDir('bench-sync');
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(new URL('./stack-child.ts', import.meta.url)),
    '--data-dir',
    dir,
    '--seed',
    'demo',
    '--scale',
    String(SCALE),
    '--port',
    '0',
  ],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', ELECTRIC_URL: '' } },
);
let stderr = '';
child.stderr.on('data', (c: Buffer) => (stderr += c));
const first = await new Promise<string>((resolve, reject) => {
  readline.createInterface({ input: child.stdout }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`stack exited (${code}):\n${stderr}`)));
});
const ready = JSON.parse(first) as {
  gatewayUrl: string;
  shapes: { url: string; secret?: string };
  databaseUrl: string;
};

const login = await fetch(`${ready.gatewayUrl}/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'admin@northwind.test', password: DEMO_PASSWORD }),
});
const session = (await login.json()) as { access_token: string; memberships: { organization_id: string }[] };
const org = session.memberships[0]!.organization_id;
const db = new pg.Client({ connectionString: ready.databaseUrl });
await db.connect();
const expected = Number(
  (await db.query('select count(*) from devices where organization_id = $1', [org])).rows[0].count,
);
const columns = (
  await db.query(`select string_agg(format('%I', column_name), ',' order by ordinal_position) as c
  from information_schema.columns where table_name = 'devices' and column_name <> 'admin_credentials'`)
).rows[0].c as string;
await db.end();

async function sync(url: string, params: Record<string, string>, headers: Record<string, string>): Promise<number> {
  const abort = new AbortController();
  const stream = new ShapeStream({ url: `${url}/v1/shape`, params: params as never, headers, signal: abort.signal });
  const started = performance.now();
  let rows = 0;
  await new Promise<void>((resolve, reject) =>
    stream.subscribe((msgs: Message<Row>[]) => {
      for (const m of msgs) {
        if (isChangeMessage(m)) rows++;
        else if (isControlMessage(m) && m.headers.control === 'up-to-date') resolve();
      }
    }, reject),
  );
  const secs = (performance.now() - started) / 1000;
  abort.abort();
  if (rows !== expected) throw new Error(`synced ${rows} rows, expected ${expected}`);
  return rows / secs;
}

const viaGateway: number[] = [];
const direct: number[] = [];
for (let run = 0; run < RUNS; run++) {
  // A different bound in every run makes every run a fresh shape with a fresh snapshot.
  const gatewayBound = String(-1 - 2 * run);
  const directBound = String(-2 - 2 * run);
  viaGateway.push(
    await sync(
      ready.gatewayUrl,
      { table: 'devices', where: 'row_version > $1', 'params[1]': gatewayBound },
      { Authorization: `Bearer ${session.access_token}` },
    ),
  );
  direct.push(
    await sync(
      ready.shapes.url,
      {
        table: 'devices',
        where: `"organization_id" = $2 and (\nrow_version > $1\n)`,
        'params[1]': directBound,
        'params[2]': org,
        columns,
        ...(ready.shapes.secret ? { secret: ready.shapes.secret } : {}),
      },
      {},
    ),
  );
}
const rss = rssMiB(child.pid!);
console.log(
  `bench:sync — devices of Northwind at --scale ${SCALE}: ${fmt(expected)} rows, ${RUNS} runs each, alternating`,
);
console.log(
  `through the gateway     ${fmt(median(viaGateway))} rows/s   (runs: ${viaGateway.map((r) => fmt(r)).join(', ')})`,
);
console.log(`shape service directly  ${fmt(median(direct))} rows/s   (runs: ${direct.map((r) => fmt(r)).join(', ')})`);
console.log(`gateway overhead ratio (gateway / direct)  ${fmt(median(viaGateway) / median(direct), 3)}`);
console.log(`stack process RSS after the runs  ${rss === undefined ? 'n/a' : `${fmt(rss)} MiB`}`);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
