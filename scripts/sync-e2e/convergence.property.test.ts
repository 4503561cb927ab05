/**
 * Property: whatever two or three laptops do — edit the same rows' columns, record devices (with
 * clashing serials), delete, go offline and back, upload alone or at the same time, keep mine or
 * take theirs — once everyone is online and synced, every replica equals the server with no
 * overlay or outbox row left (convergence), every mutation id has exactly one stored result, and
 * each row's row_version moved once per result that wrote it (exactly once: a double apply
 * would bump it twice). Real stack, real replicas. Replay with FC_SEED=<n>.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TASK_PRIORITIES, TASK_STATUSES, DEVICE_STATUSES, devices, tasks } from '../../shared/schema/tables.js';
import { InboxError } from '../../sync/client/local/conflict-inbox.js';
import { LocalWriteError } from '../../sync/client/local/local-writes.js';
import { processedResults } from './server-checks.js';
import { SimClient, syncAll } from './sim-client.js';
import { startTestStack, type TestStack } from './test-stack.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FC_RUNS ?? 25);

let stack: TestStack;
let clients: SimClient[];
let org: string;
let freeTasks: string[];
let freeDevices: { id: string; property_id: string; device_type_id: string }[];
let run = 0;

beforeAll(async () => {
  console.info(`convergence property: seed ${SEED}, ${RUNS} runs`);
  stack = await startTestStack({ name: 'convergence', seed: 13 });
  org = stack.user('tech@northwind.test').orgId;
  const open = (email: string, name: string) => SimClient.open({ stack, email, name, tables: [tasks, devices] });
  clients = await Promise.all([
    open('tech@northwind.test', 'tech'),
    open('tech2@northwind.test', 'tech2'),
    open('dispatch@northwind.test', 'dispatch'),
  ]);
  const q = (sql: string) => stack.sql.query(sql, [org]).then((r) => r.rows);
  freeTasks = (await q('select id::text from tasks where organization_id = $1 and deleted_at is null order by id')).map(
    (r) => r.id as string,
  );
  freeDevices = (await q(
    `select id::text, property_id::text, device_type_id::text from devices
     where organization_id = $1 and deleted_at is null order by id`,
  )) as typeof freeDevices;
});

afterAll(async () => {
  for (const c of clients ?? []) await c.close();
  await stack?.stop();
});

type Cmd =
  | { kind: 'edit'; client: number; row: number; column: number; value: number }
  | { kind: 'insert'; client: number; serial: number }
  | { kind: 'delete'; client: number; row: number }
  | { kind: 'offline' | 'online' | 'upload'; client: number }
  | { kind: 'uploadAll' }
  | { kind: 'resolve'; client: number; keep: boolean };

const client = fc.integer({ min: 0, max: 2 });
const row = fc.integer({ min: 0, max: 2 }); // two tasks and a device, fresh each run
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('edit'), client, row, column: fc.nat(5), value: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert'), client, serial: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete'), client, row }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('offline', 'online', 'upload'), client }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'uploadAll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve'), client, keep: fc.boolean() }) },
);
const history = fc.record({ clients: fc.integer({ min: 2, max: 3 }), cmds: fc.array(cmd, { maxLength: 20 }) });

/** A value for column `n` of the row's table, from a small range so both sides often collide. */
function change(table: 'tasks' | 'devices', n: number, v: number): Record<string, unknown> {
  const task = [
    { title: `Title ${v}` },
    { notes: `Notes ${v}` },
    { priority: TASK_PRIORITIES[v % TASK_PRIORITIES.length] },
    { status: TASK_STATUSES[v % TASK_STATUSES.length] },
    { tags: ['ladder', 'keys', 'night'].filter((_, i) => (v >> i) & 1) },
    { estimated_minutes: 15 * v },
  ];
  const device = [
    { notes: `Notes ${v}` },
    { label: `Label ${v}` },
    { status: DEVICE_STATUSES[v % DEVICE_STATUSES.length] },
    { firmware_version: `fw-${v}` },
  ];
  return table === 'tasks' ? task[n % task.length]! : device[n % device.length]!;
}

/** Runs one command; writes the app would refuse locally (row gone here) are skipped, as the UI would. */
async function step(c: Cmd, active: SimClient[], rows: { table: 'tasks' | 'devices'; id: string }[]): Promise<void> {
  if (c.kind === 'uploadAll') {
    await Promise.all(active.filter((x) => x.online).map((x) => x.upload()));
    return;
  }
  const who = active[c.client % active.length]!;
  try {
    switch (c.kind) {
      case 'edit': {
        const r = rows[c.row]!;
        who.writes.update(r.table, { id: r.id }, change(r.table, c.column, c.value));
        return;
      }
      case 'insert': {
        const d = freeDevices[0]!;
        const values = { organization_id: org, property_id: d.property_id, device_type_id: d.device_type_id };
        who.writes.insert('devices', { ...values, serial_number: `PROP-${run}-${c.serial}` });
        return;
      }
      case 'delete':
        who.writes.delete(rows[c.row]!.table, { id: rows[c.row]!.id });
        return;
      case 'offline':
        return who.goOffline();
      case 'online':
        return who.goOnline();
      case 'upload':
        if (who.online) await who.upload();
        return;
      case 'resolve': {
        const entry = who.inbox.list()[0];
        if (!entry) return;
        if (!c.keep) return who.inbox.takeTheirs(entry.mutationId);
        try {
          who.inbox.keepMine(entry.mutationId);
        } catch (e) {
          if (!(e instanceof InboxError && e.code === 'row_gone')) throw e;
          who.inbox.takeTheirs(entry.mutationId);
        }
        return;
      }
    }
  } catch (e) {
    if (!(e instanceof LocalWriteError && e.code === 'not_found')) throw e;
  }
}

/** row_version of every task and device of the organization (keep mine may touch rows of earlier runs). */
const versions = async () => {
  const { rows } = await stack.sql.query<{ id: string; v: string }>(
    `select id::text, row_version::text as v from tasks where organization_id = $1
     union all select id::text, row_version::text from devices where organization_id = $1`,
    [org],
  );
  return new Map(rows.map((r) => [r.id, Number(r.v)]));
};

it('random edit histories of two or three clients converge, each mutation applied exactly once', async () => {
  await fc.assert(
    fc.asyncProperty(history, async ({ clients: n, cmds }) => {
      run++;
      const active = clients.slice(0, n);
      const rows = [
        { table: 'tasks' as const, id: freeTasks.shift()! },
        { table: 'tasks' as const, id: freeTasks.shift()! },
        { table: 'devices' as const, id: freeDevices.shift()!.id },
      ];
      const before = await versions();
      const made = new Map<string, string>(); // mutation id → row id
      for (const c of cmds) {
        await step(c, active, rows);
        for (const x of active) for (const m of x.outbox()) made.set(m.id, m.pk.id!);
      }
      await syncAll(stack, active);

      // Exactly once: one stored result per mutation id…
      const results = await processedResults(stack.sql, [...made.keys()]);
      expect([...made.keys()].filter((id) => !results.has(id))).toEqual([]);
      // …and per row, one row_version step per result that wrote it (a txid), no more.
      const after = await versions();
      for (const rowId of new Set(made.values())) {
        const version = after.get(rowId) ?? 0;
        const writes = [...made].filter(([id, r]) => r === rowId && results.get(id)!.txid !== null).length;
        expect(version, `row ${rowId}`).toBe((before.get(rowId) ?? 0) + writes);
      }
      for (const x of active) expect(x.counts()).toMatchObject({ queued: 0, awaitingConfirmation: 0 });
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
}, 300_000);
