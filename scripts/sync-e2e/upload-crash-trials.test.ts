/**
 * Exactly once, through crashes. Each trial queues user actions that would show a double apply
 * (one action = bump a task's estimated_minutes by one + append a task_activities row, as one
 * `tx`), then kills something with SIGKILL while they upload:
 *  - the client (`fieldline sync`, a real process), after a random number of the mutations were
 *    applied; the restart (`--once`) must upload the rest and hear the answers the kill lost;
 *  - the gateway (`npm run stack` as a gateway only, on the test database), mid-upload; a request is
 *    one transaction, so the kill finds each request applied whole (its answer maybe lost) or not at
 *    all; the client's upload loop retries against the restarted gateway.
 * After each trial every mutation id has exactly one stored result, the counter moved by exactly
 * the number of actions (row_version too), every append is there once, and the replica equals
 * what the technician sees on the server. Replay a failure with UPLOAD_CRASH_SEED=<n>.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { task_activities, tasks } from '../../shared/schema/tables.js';
import { overlayTableName } from '../../shared/schema/sqlite-ddl.js';
import { LocalWrites } from '../../sync/client/local/local-writes.js';
import { openReplica, type Replica } from '../../sync/client/replica/open-replica.js';
import { waitFor } from '../../sync/server/shape-service/client-test-support.js';
import {
  describeOutput,
  killChildren,
  spawnChild,
  waitForExit,
  waitForLine,
  type ChildHandle,
} from '../../sync/server/testing/child.js';
import { processedResults, serverRow } from './server-checks.js';
import { SimClient } from './sim-client.js';
import {
  DEMO_PASSWORD,
  JWT_SECRET,
  SHAPES_SECRET,
  replicaFileView,
  startTestStack,
  type TestStack,
} from './test-stack.js';

const EMAIL = 'tech@northwind.test';
const TRIALS = Number(process.env.UPLOAD_CRASH_TRIALS ?? 10);
/** User actions per trial: 2 mutations each, so several upload requests of 100. */
const ACTIONS = 120;
const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = Number(process.env.UPLOAD_CRASH_SEED ?? Date.now() % 1_000_000);

/** mulberry32: seeded, so a failing trial can be replayed. */
const rand = (() => {
  let a = SEED >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();

let stack: TestStack;
let orgId: string;
let freeTasks: string[];

beforeAll(async () => {
  console.info(`upload crash trials: seed ${SEED}`);
  stack = await startTestStack({ name: 'upload-crash', seed: 5 });
  orgId = stack.user(EMAIL).orgId;
  const { rows } = await stack.sql.query<{ id: string }>(
    'select id::text from tasks where organization_id = $1 and deleted_at is null order by id',
    [orgId],
  );
  freeTasks = rows.map((r) => r.id);
});

afterAll(async () => {
  await killChildren();
  await stack?.stop();
});

type Trial = { taskId: string; marker: string; ids: string[]; minutes: number; version: number };

/** Queues ACTIONS user actions on a task no other trial touches; the replica must match the server. */
async function queueTrial(db: Replica, name: string): Promise<Trial> {
  const taskId = freeTasks.shift()!;
  const row = (await serverRow(stack.sql, 'tasks', taskId))!;
  const trial: Trial = {
    taskId,
    marker: `${name}-${SEED}`,
    ids: [],
    minutes: (row.estimated_minutes as number | null) ?? 0,
    version: Number(row.row_version),
  };
  const writes = new LocalWrites(db);
  const minutes = db.prepare('select estimated_minutes from tasks_view where id = ?').pluck();
  for (let i = 0; i < ACTIONS; i++)
    writes.transaction((w) => {
      const now = (minutes.get(taskId) as number | null) ?? 0;
      trial.ids.push(w.update('tasks', { id: taskId }, { estimated_minutes: now + 1 })!.mutationId);
      const note = { organization_id: orgId, task_id: taskId, action: 'comment', description: `${trial.marker} #${i}` };
      trial.ids.push(w.insert('task_activities', note).mutationId);
    });
  return trial;
}

const processedCount = async (ids: readonly string[]) =>
  (
    await stack.sql.query<{ n: number }>(
      'select count(*)::int as n from app.processed_mutations where id = any($1::uuid[])',
      [ids],
    )
  ).rows[0]!.n;

/** Every mutation applied, and applied once: one stored result each, and effects counted exactly. */
async function expectExactlyOnce(t: Trial): Promise<void> {
  const results = await processedResults(stack.sql, t.ids);
  expect(results.size).toBe(t.ids.length);
  expect([...results.values()].filter((r) => r.status !== 'applied')).toEqual([]);
  const row = (await serverRow(stack.sql, 'tasks', t.taskId))!;
  // Each applied update bumps row_version once: a double apply would show here.
  expect({ minutes: row.estimated_minutes, version: Number(row.row_version) }).toEqual({
    minutes: t.minutes + ACTIONS,
    version: t.version + ACTIONS,
  });
  const appended = await stack.sql.query('select description from task_activities where description like $1', [
    `${t.marker} #%`,
  ]);
  expect(new Set(appended.rows.map((r) => r.description)).size).toBe(ACTIONS);
  expect(appended.rowCount).toBe(ACTIONS);
}

/** Outbox rows still queued in the replica although the server applied them: answers the kill lost. */
async function lostAnswers(file: string): Promise<number> {
  const db = new Database(file, { readonly: true });
  try {
    const queued = db.prepare(`select id from sync_outbox where state = 'queued'`).pluck().all() as string[];
    const applied = await processedResults(stack.sql, queued);
    return applied.size;
  } finally {
    db.close();
  }
}

function expectSettled(file: string): void {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.prepare('select count(*) from sync_outbox').pluck().get()).toBe(0);
    for (const t of [tasks, task_activities])
      expect(
        db
          .prepare(`select count(*) from ${overlayTableName(t.name)}`)
          .pluck()
          .get(),
      ).toBe(0);
  } finally {
    db.close();
  }
}

const fieldline = (file: string, once: boolean): ChildHandle =>
  spawnChild(
    process.execPath,
    ['--import', 'tsx', 'sync/client/cli/main.ts', 'sync', '--server', stack.gateway.url, '--email', EMAIL]
      .concat(['--db', file, '--plain'])
      .concat(once ? ['--once'] : []),
    { cwd: ROOT, env: { ...process.env, FIELDLINE_PASSWORD: DEMO_PASSWORD } },
  );

async function syncOnce(file: string): Promise<void> {
  const child = fieldline(file, true);
  expect((await waitForExit(child, 90_000)).code, describeOutput(child)).toBe(0);
}

async function kill9(child: ChildHandle): Promise<void> {
  child.process.kill('SIGKILL');
  expect((await waitForExit(child, 10_000)).signal, describeOutput(child)).toBe('SIGKILL');
}

/** Waits until at least `target` of the trial's mutations are applied; fails if the child exits first. */
const appliedAtLeast = (t: Trial, target: number, child: ChildHandle) =>
  waitFor(
    async () => {
      if (child.exitResult()) throw new Error(`exited before the kill\n${describeOutput(child)}`);
      const n = await processedCount(t.ids);
      return n >= target ? n : undefined;
    },
    90_000,
    () => describeOutput(child),
  );

describe('kill -9 mid-upload', () => {
  it(`of the client, ${TRIALS} trials: after a restart each mutation is applied exactly once`, async () => {
    const file = path.join(stack.dir, 'client.db');
    await syncOnce(file);
    const killedAt: string[] = [];
    let lost = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const { db } = openReplica(file);
      const t = await queueTrial(db, `client-${trial}`);
      db.close();
      const target = 1 + Math.floor(rand() * (t.ids.length - 1));
      const child = fieldline(file, false);
      const seen = await appliedAtLeast(t, target, child);
      await kill9(child);
      killedAt.push(`${seen}/${t.ids.length}`);
      lost += await lostAnswers(file);

      await syncOnce(file);
      await expectExactlyOnce(t);
      expectSettled(file);
      expect(replicaFileView(file)).toEqual(await stack.serverView(EMAIL));
    }
    console.info(`client killed with ${killedAt.join(', ')} applied; ${lost} answers lost to the kills`);
    // The interesting case happened: the server applied mutations whose answers died with the client.
    expect(lost).toBeGreaterThan(0);
  }, 600_000);

  it(`of the gateway, ${TRIALS} trials: the client's retries apply each mutation exactly once`, async () => {
    const startGatewayChild = async (port: number) => {
      const child = spawnChild(
        process.execPath,
        ['--import', 'tsx', 'sync/server/stack/main.ts', '--seed', 'none', '--port', String(port)],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            DATABASE_URL: stack.db.url,
            ELECTRIC_URL: stack.shapes.url,
            ELECTRIC_SECRET: SHAPES_SECRET,
            JWT_SECRET: new TextDecoder().decode(JWT_SECRET),
            DATA_DIR: path.join(stack.dir, 'gateway'),
          },
        },
      );
      const [, url] = await waitForLine(child, /^Gateway listening on (http:\/\/\S+)$/);
      return { child, url: url!, port: Number(new URL(url!).port) };
    };
    let gateway = await startGatewayChild(0);
    const client = await SimClient.open({
      stack,
      email: EMAIL,
      name: 'gateway-trials',
      tables: [tasks, task_activities],
      serverUrl: gateway.url,
    });
    client.startUploadLoop();
    const killedAt: number[] = [];
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        const t = await queueTrial(client.replica, `gateway-${trial}`);
        const target = 1 + Math.floor(rand() * (t.ids.length - 1));
        client.kick();
        await appliedAtLeast(t, target, gateway.child);
        await kill9(gateway.child);
        killedAt.push(await processedCount(t.ids));
        gateway = await startGatewayChild(gateway.port);

        const server = JSON.stringify(await waitForOutboxThenServer(client));
        await waitFor(() => JSON.stringify(client.view()) === server && client.overlays() === 0, 30_000);
        await expectExactlyOnce(t);
      }
    } finally {
      await client.close();
      await killChildren();
    }
    // A request is one transaction: a kill leaves each one applied whole or not at all (batches of 100).
    expect(killedAt.filter((n) => n % 100 !== 0 && n !== 2 * ACTIONS)).toEqual([]);
    const midUpload = killedAt.filter((n) => n < 2 * ACTIONS).length;
    console.info(`gateway killed with ${killedAt.join(', ')} of ${2 * ACTIONS} applied; ${midUpload} mid-upload`);
    expect(midUpload).toBeGreaterThanOrEqual(TRIALS / 2);
  }, 600_000);
});

/** Once the client has nothing left to upload or confirm, what the server holds for it. */
async function waitForOutboxThenServer(client: SimClient) {
  await waitFor(
    () => {
      const c = client.counts();
      return c.queued + c.awaitingConfirmation === 0;
    },
    90_000,
    () => JSON.stringify(client.counts()),
  );
  return stack.serverView(EMAIL, client.tables);
}
