/**
 * kill -9 of the headless client (`fieldline sync`, a real process) at random moments, during the
 * initial sync and during live updates; after each kill a restart with --once must leave a replica
 * equal to what the technician sees on the server, checksum by checksum. The trial seed is printed
 * so a failure can be replayed: CRASH_TRIAL_SEED=<n> npx vitest run scripts/sync-e2e/crash-trials.test.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import { waitFor } from '../../sync/server/shape-service/client-test-support.js';
import {
  describeOutput,
  killChildren,
  spawnChild,
  waitForExit,
  type ChildHandle,
} from '../../sync/server/testing/child.js';
import { connect } from '../../sync/server/testing/pg.js';
import { DEMO_PASSWORD, replicaFileView, startTestStack, type TestStack } from './test-stack.js';

const EMAIL = 'tech@northwind.test';
const TRIALS_PER_PHASE = 6;
const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = Number(process.env.CRASH_TRIAL_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so a failing trial can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);

let stack: TestStack;
let visibleRows = 0;

beforeAll(async () => {
  console.info(`crash trials: seed ${SEED}`);
  stack = await startTestStack({ name: 'crash-trials', seed: 3, scale: 3 });
  visibleRows = Object.values(await serverView()).reduce((n, t) => n + t.rows, 0);
});

afterAll(async () => {
  await killChildren();
  await stack?.stop();
});

const serverView = () => stack.serverView(EMAIL);
const replicaView = (file: string) => replicaFileView(file);

/** Rows the replica holds now and how many tables are up to date, read beside the running client. */
function progress(file: string): { rows: number; upToDate: number } {
  if (!fs.existsSync(file)) return { rows: 0, upToDate: 0 };
  try {
    const replica = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return replica
        .prepare('select coalesce(sum(row_count), 0) as rows, count(last_up_to_date_at) as upToDate from sync_shapes')
        .get() as { rows: number; upToDate: number };
    } finally {
      replica.close();
    }
  } catch {
    return { rows: 0, upToDate: 0 }; // not migrated yet
  }
}

const fieldline = (file: string, once: boolean): ChildHandle =>
  spawnChild(
    process.execPath,
    [
      '--import',
      'tsx',
      'sync/client/cli/main.ts',
      'sync',
      '--server',
      stack.gateway.url,
      '--email',
      EMAIL,
      '--db',
      file,
      ...(once ? ['--once'] : []),
    ],
    { cwd: ROOT, env: { ...process.env, FIELDLINE_PASSWORD: DEMO_PASSWORD } },
  );

async function kill9(child: ChildHandle) {
  child.process.kill('SIGKILL');
  const exit = await waitForExit(child, 10_000);
  expect(exit.signal, describeOutput(child)).toBe('SIGKILL');
}

/** Restarts the client with --once and checks the replica against the server. */
async function convergesAfterRestart(file: string) {
  const child = fieldline(file, true);
  const exit = await waitForExit(child, 60_000);
  expect(exit.code, describeOutput(child)).toBe(0);
  const server = JSON.stringify(await serverView());
  expect(JSON.stringify(replicaView(file))).toBe(server);
  const parked = new Database(file, { readonly: true });
  try {
    expect(parked.prepare('select count(*) from sync_pending').pluck().get()).toBe(0);
  } finally {
    parked.close();
  }
}

/** Random inserts, updates and deletes in the technician's organization until stopped. */
let written = 0;
function writeRandomly(): { stop(): Promise<number> } {
  let running = true;
  const client = connect(stack.db.url);
  const done = (async () => {
    const c = await client;
    while (running) {
      const pick = rand();
      if (pick < 0.4)
        await c.query(
          `update devices set notes = $2, firmware_version = $3
           where id = (select id from devices where organization_id = $1 order by random() limit 1)`,
          [stack.user(EMAIL).orgId, `crash trial ${written}`, `fw-${written}`],
        );
      else if (pick < 0.7)
        await c.query(
          `insert into devices (organization_id, property_id, device_type_id, serial_number, status)
           select organization_id, property_id, device_type_id, $2, 'planned' from devices
           where organization_id = $1 limit 1`,
          [stack.user(EMAIL).orgId, `CRASH-${SEED}-${written}`],
        );
      else if (pick < 0.85)
        await c.query(
          `delete from devices where id = (select id from devices where organization_id = $1 and serial_number like 'CRASH-%' limit 1)`,
          [stack.user(EMAIL).orgId],
        );
      else
        await c.query(
          `update tasks set title = $2 where id = (select id from tasks where organization_id = $1 order by random() limit 1)`,
          [stack.user(EMAIL).orgId, `crash trial ${written}`],
        );
      written++;
      await new Promise((r) => setTimeout(r, 5 + rand() * 30));
    }
  })();
  // Reported by stop(); never an unhandled rejection while the trial runs.
  done.catch(() => {});
  return {
    async stop() {
      running = false;
      await done;
      await (await client).end();
      return written;
    },
  };
}

describe('kill -9 of the client', () => {
  it(`during the initial sync, ${TRIALS_PER_PHASE} trials: each restart ends equal to the server`, async () => {
    const killedAt: number[] = [];
    for (let trial = 0; trial < TRIALS_PER_PHASE; trial++) {
      const file = path.join(stack.dir, `initial-${trial}.db`);
      // Kill once the replica holds a random share of the rows: mid-snapshot, by construction.
      const target = Math.floor(visibleRows * (0.05 + rand() * 0.85));
      const child = fieldline(file, false);
      await waitFor(
        () => progress(file).rows >= target || child.exitResult(),
        60_000,
        () => describeOutput(child),
      );
      const at = progress(file);
      expect(at.upToDate, 'killed before every table was up to date').toBeLessThan(SYNCED_TABLES.length);
      await kill9(child);
      killedAt.push(at.rows);
      await convergesAfterRestart(file);
    }
    console.info(`initial-sync kills at ${killedAt.join(', ')} of ${visibleRows} rows`);
  }, 300_000);

  it(`during live updates, ${TRIALS_PER_PHASE} trials: each restart ends equal to the server`, async () => {
    const file = path.join(stack.dir, 'live.db');
    await convergesAfterRestart(file); // first full sync
    for (let trial = 0; trial < TRIALS_PER_PHASE; trial++) {
      const writer = writeRandomly();
      const child = fieldline(file, false);
      try {
        await new Promise((r) => setTimeout(r, 1_500 + rand() * 2_500));
        expect(child.exitResult(), describeOutput(child)).toBeUndefined();
        await kill9(child);
      } finally {
        await writer.stop();
      }
      await convergesAfterRestart(file);
    }
  }, 300_000);
});
