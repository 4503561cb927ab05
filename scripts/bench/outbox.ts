/**
 * npm run bench:outbox -- [--mutations 10000] [--scale 10] [--batch 100] [--single 200]
 *
 * The write path under load, as the technician of the largest demo org, in one run on one stack
 * (its own process, stack-child.ts):
 *  - queue: --mutations local writes through LocalWrites into a synced replica (a mix of task and
 *    device edits and task_activities appends), untimed except for the queue rate;
 *  - drain: the Uploader sends them all (--batch per request) while the shape consumer runs, as in
 *    the app: mutations/s from the first request to the last answer;
 *  - plain SQL: the very same changes as plain statements over one operator connection (prepared,
 *    one autocommit statement per change, no RLS): rows/s. drain / plain SQL is THE ratio;
 *  - upload→txid confirmation: per mutation, from the moment its request is sent until it leaves
 *    the outbox because its txid came down the shape stream (checked after every stream commit and
 *    every answer; a txid that came before the answer confirms when the answer arrives). p50/p99
 *    during the drain, and for --single edits uploaded one at a time on an idle system.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { devices, task_activities, tasks } from '../../shared/schema/tables.js';
import { GatewaySession } from '../../sync/client/auth/gateway-session.js';
import { LocalWrites } from '../../sync/client/local/local-writes.js';
import { clientId } from '../../sync/client/local/outbox.js';
import { Uploader } from '../../sync/client/local/uploader.js';
import { openReplica } from '../../sync/client/replica/open-replica.js';
import { ShapeConsumer } from '../../sync/client/shape-consumer.js';
import { DEMO_PASSWORD } from '../../sync/server/seed/demo-data.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { arg, fmt, percentile } from './stats.js';

const MUTATIONS = arg('mutations', 10_000);
const SCALE = arg('scale', 10);
const BATCH = arg('batch', 100);
const SINGLE = arg('single', 200);
const EMAIL = 'tech@northwind.test';
const log = (s: string) => process.stdout.write(s + '\n');
const progress = (s: string) => process.stderr.write(`… ${s}\n`);
const secs = (ms: number) => `${fmt(ms / 1000, 1)} s`;

// --- The stack, in its own process; stopped and its data removed at the end or on Ctrl-C ---------
const dir = makeTempDir('bench-outbox');
const stack = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./stack-child.ts', import.meta.url))].concat([
    '--data-dir',
    path.join(dir, 'stack'),
    '--seed',
    'demo',
    '--scale',
    String(SCALE),
    '--port',
    '0',
  ]),
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', ELECTRIC_URL: '' } },
);
let stackErr = '';
stack.stderr.on('data', (c: Buffer) => (stackErr = (stackErr + c).slice(-20_000)));
const cleanup = async () => {
  if (stack.exitCode === null && stack.signalCode === null) {
    const exited = new Promise((r) => stack.once('exit', r));
    stack.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
progress(`starting the stack with demo data at --scale ${SCALE}`);
const ready = JSON.parse(
  await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: stack.stdout }).once('line', resolve);
    stack.once('exit', (code) => reject(new Error(`stack exited (${code}):\n${stackErr}`)));
  }),
) as { gatewayUrl: string; databaseUrl: string };

try {
  await main();
} finally {
  await cleanup();
}
process.exit(0);

async function main(): Promise<void> {
  const session = await GatewaySession.login(ready.gatewayUrl, EMAIL, DEMO_PASSWORD);
  const org = session.user!.memberships[0]!.organizationId;
  const db = openReplica(path.join(dir, 'replica.db')).db;

  // Each mutation's request time, and the time it left the outbox confirmed.
  const sentAt = new Map<string, number>();
  const confirmedAt = new Map<string, number>();
  const inFlight = new Set<string>();
  const fetchClient: typeof fetch = (input, init) => {
    if (String(input).endsWith('/v1/mutations') && typeof init?.body === 'string') {
      const now = performance.now();
      for (const m of (JSON.parse(init.body) as { mutations: { id: string }[] }).mutations) {
        if (sentAt.has(m.id)) continue; // a retry: the first attempt counts
        sentAt.set(m.id, now);
        inFlight.add(m.id);
      }
    }
    return fetch(input, init);
  };
  const inOutbox = db.prepare('select 1 from sync_outbox where id = ?').pluck();
  let waiter: { until: () => boolean; resolve: () => void } | undefined;
  const sweep = () => {
    const now = performance.now();
    for (const id of inFlight) {
      if (inOutbox.get(id)) continue;
      confirmedAt.set(id, now);
      inFlight.delete(id);
    }
    if (waiter?.until()) {
      waiter.resolve();
      waiter = undefined;
    }
  };
  const confirmed = (until: () => boolean) =>
    new Promise<void>((resolve) => {
      if (until()) resolve();
      else waiter = { until, resolve };
    });

  const getToken = () => session.getToken();
  const consumer = new ShapeConsumer({
    db,
    serverUrl: ready.gatewayUrl,
    getToken,
    tables: [tasks, devices, task_activities],
  });
  consumer.on('changed', sweep);
  await new Promise<void>((resolve) => consumer.on('status', () => consumer.isLive() && resolve()).start());
  const uploader = new Uploader({
    db,
    serverUrl: ready.gatewayUrl,
    getToken,
    fetchClient,
    batchSize: BATCH,
    onUploaded: sweep,
  });

  // --- The workload: the same list drives the outbox and the plain SQL ---------------------------
  const taskIds = db.prepare('select id from tasks order by id').pluck().all() as string[];
  const deviceIds = db.prepare('select id from devices order by id').pluck().all() as string[];
  type Change = { sql: string; name: string; params: unknown[]; queue: (w: LocalWrites) => void };
  const changes: Change[] = Array.from({ length: MUTATIONS }, (_, i): Change => {
    const task = taskIds[i % taskIds.length]!;
    const device = deviceIds[i % deviceIds.length]!;
    switch (i % 5) {
      case 0:
      case 1:
        return {
          name: 'task_notes',
          sql: 'update tasks set notes = $1 where id = $2',
          params: [`bench ${i}`, task],
          queue: (w) => w.update('tasks', { id: task }, { notes: `bench ${i}` }),
        };
      case 2:
      case 3:
        return {
          name: 'device_firmware',
          sql: 'update devices set firmware_version = $1 where id = $2',
          params: [`fw-${i}`, device],
          queue: (w) => w.update('devices', { id: device }, { firmware_version: `fw-${i}` }),
        };
      default:
        return {
          name: 'activity',
          sql: `insert into task_activities (id, organization_id, task_id, action, description) values ($1, $2, $3, 'comment', $4)`,
          params: [randomUUID(), org, task, `bench ${i}`],
          queue: (w) =>
            w.insert('task_activities', {
              organization_id: org,
              task_id: task,
              action: 'comment',
              description: `bench ${i}`,
            }),
        };
    }
  });

  const writes = new LocalWrites(db);
  let t = performance.now();
  for (const c of changes) c.queue(writes);
  const queueMs = performance.now() - t;
  const queued = db.prepare(`select count(*) from sync_outbox where state = 'queued'`).pluck().get() as number;
  if (queued !== MUTATIONS) throw new Error(`queued ${queued} mutations, expected ${MUTATIONS}`);

  progress(`draining ${fmt(MUTATIONS)} mutations in batches of ${BATCH}`);
  t = performance.now();
  await uploader.drain();
  const drainMs = performance.now() - t;
  await confirmed(() => confirmedAt.size === MUTATIONS);
  const allConfirmedMs = performance.now() - t;
  const drainLatency = [...confirmedAt].map(([id, at]) => at - sentAt.get(id)!);

  // Every one applied on the server, once (its id is the key of processed_mutations).
  const sql = new pg.Client({ connectionString: ready.databaseUrl });
  await sql.connect();
  const applied = Number(
    (
      await sql.query(`select count(*) from app.processed_mutations where client_id = $1 and status = 'applied'`, [
        clientId(db),
      ])
    ).rows[0].count,
  );
  if (applied !== MUTATIONS) throw new Error(`the server applied ${applied} of ${MUTATIONS} mutations`);

  progress('the same changes as plain SQL over one connection');
  t = performance.now();
  for (const c of changes) await sql.query({ name: c.name, text: c.sql, values: c.params });
  const sqlMs = performance.now() - t;
  await sql.end();

  progress(`${SINGLE} single edits, each uploaded alone`);
  const singleLatency: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    const { mutationId } = writes.update('tasks', { id: taskIds[i % taskIds.length]! }, { notes: `single ${i}` })!;
    await uploader.drain();
    await confirmed(() => confirmedAt.has(mutationId));
    singleLatency.push(confirmedAt.get(mutationId)! - sentAt.get(mutationId)!);
  }
  consumer.close();
  await uploader.stop();
  db.close();

  const drainRate = MUTATIONS / (drainMs / 1000);
  const sqlRate = MUTATIONS / (sqlMs / 1000);
  const p = (xs: number[]) => `p50 ${fmt(percentile(xs, 50))} ms p99 ${fmt(percentile(xs, 99))} ms`;
  log(
    `bench:outbox — ${fmt(MUTATIONS)} queued mutations (2/5 task edits, 2/5 device edits, 1/5 task_activities inserts) ` +
      `as ${EMAIL}, demo --scale ${SCALE} (${fmt(taskIds.length)} tasks, ${fmt(deviceIds.length)} devices), batches of ${BATCH}`,
  );
  log(`queue (LocalWrites into the replica): ${fmt(MUTATIONS / (queueMs / 1000))} writes/s (${secs(queueMs)})`);
  log(
    `drain: ${fmt(drainRate)} mutations/s (${secs(drainMs)}; all confirmed from the stream after ${secs(allConfirmedMs)}); ` +
      `plain SQL: ${fmt(sqlRate)} rows/s (${secs(sqlMs)}); ratio ${fmt(drainRate / sqlRate, 3)}`,
  );
  log(`upload→txid confirmation during the drain: ${p(drainLatency)} (${fmt(drainLatency.length)} mutations)`);
  log(`upload→txid confirmation, one edit at a time: ${p(singleLatency)} (${fmt(singleLatency.length)} edits)`);
}
