/**
 * Local edits meet a shape fetched anew (409, must-refetch), against the real stack. A snapshot's
 * rows carry no txids, so an edit whose transaction the new snapshot already contains would wait
 * for a txid that never comes, and its overlay would hide every later server change of its row.
 * The stream's snapshot-end (the Postgres snapshot the rows were read in) confirms it instead: with
 * the refetched rows when the answer came first, and by the answer when the refetch came first.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayTableName } from '../../shared/schema/sqlite-ddl.js';
import { tasks } from '../../shared/schema/tables.js';
import { GatewaySession } from '../../sync/client/auth/gateway-session.js';
import { LocalWrites } from '../../sync/client/local/local-writes.js';
import { Uploader } from '../../sync/client/local/uploader.js';
import { openReplica, type Replica } from '../../sync/client/replica/open-replica.js';
import { readShapeState } from '../../sync/client/replica/sync-state.js';
import { ShapeConsumer } from '../../sync/client/shape-consumer.js';
import { waitFor } from '../../sync/server/shape-service/client-test-support.js';
import { DEMO_PASSWORD, FAST_RETRY, SHAPES_SECRET, startTestStack, type TestStack } from './test-stack.js';

const TECH = 'tech@northwind.test';

let stack: TestStack;
let taskIds: string[];

beforeAll(async () => {
  stack = await startTestStack({ name: 'refetch-confirm', seed: 23 });
  const { rows } = await stack.sql.query<{ id: string }>(
    `select id::text from tasks where organization_id = $1 and deleted_at is null order by id`,
    [stack.user(TECH).orgId],
  );
  taskIds = rows.map((r) => r.id);
});
afterAll(async () => {
  await stack?.stop();
});

/** One laptop syncing only tasks: its replica, writes, uploader (over `uploadFetch`) and a restartable stream. */
async function laptop(name: string, opts: { parkThreshold?: number; uploadFetch?: typeof fetch } = {}) {
  const session = await GatewaySession.login(stack.gateway.url, TECH, DEMO_PASSWORD);
  const db: Replica = openReplica(path.join(stack.dir, `${name}.db`)).db;
  const getToken = () => session.getToken();
  let consumer: ShapeConsumer | undefined;
  const l = {
    db,
    writes: new LocalWrites(db),
    uploader: new Uploader({ db, serverUrl: stack.gateway.url, getToken, fetchClient: opts.uploadFetch }),
    online(): Promise<boolean> {
      const c = (consumer = new ShapeConsumer({
        db,
        serverUrl: stack.gateway.url,
        getToken,
        tables: [tasks],
        retry: FAST_RETRY,
        parkThreshold: opts.parkThreshold,
      }).start());
      return waitFor(
        () => c.isLive(),
        30_000,
        () => `${name}: not live`,
      );
    },
    offline(): void {
      consumer?.close();
      consumer = undefined;
    },
    live: () => consumer?.isLive() ?? false,
    outbox: () => db.prepare(`select id, state from sync_outbox order by seq`).all(),
    overlays: () =>
      db
        .prepare(`select count(*) from "${overlayTableName('tasks')}"`)
        .pluck()
        .get() as number,
    notes: (id: string) => db.prepare(`select notes from tasks_view where id = ?`).pluck().get(id) as string | null,
    async close() {
      l.offline();
      await l.uploader.stop();
      db.close();
    },
  };
  await l.online();
  return l;
}

/** Drops the tasks shape on the shape service: the next request of its old handle gets a 409. */
async function rotateTasksShape(): Promise<void> {
  const res = await fetch(`${stack.shapes.url}/v1/shape?table=tasks&secret=${SHAPES_SECRET}`, { method: 'DELETE' });
  expect(res.status).toBe(202);
}

describe('an edit and a refetch of its table', () => {
  it('awaiting its txid when the shape is fetched anew: the new snapshot confirms it, and later server changes show', async () => {
    const l = await laptop('awaiting', { parkThreshold: 5 });
    try {
      const id = taskIds[0]!;
      // The stream is closed while the edit uploads, so its txid cannot come down the old shape.
      l.offline();
      const { mutationId } = l.writes.update('tasks', { id }, { notes: 'Replaced the panel battery' })!;
      await l.uploader.drain();
      expect(l.outbox()).toEqual([{ id: mutationId, state: 'awaiting_txid' }]);
      const oldHandle = readShapeState(l.db, 'tasks')!.handle;
      await rotateTasksShape();

      await l.online();
      await waitFor(() => readShapeState(l.db, 'tasks')!.handle !== oldHandle && l.live(), 20_000);
      await waitFor(
        () => l.outbox().length === 0,
        10_000,
        () => `still waiting for its txid: ${JSON.stringify(l.outbox())}`,
      );
      expect(l.overlays()).toBe(0);
      expect(l.notes(id)).toBe('Replaced the panel battery');
      // Nothing of mine lies over the row any more: what dispatch writes next shows.
      await stack.sql.query(`update tasks set notes = 'Dispatch: test the siren too' where id = $1`, [id]);
      await waitFor(
        () => l.notes(id) === 'Dispatch: test the siren too',
        10_000,
        () => `notes: ${l.notes(id)}`,
      );
    } finally {
      await l.close();
    }
  });

  it('answered only after the refetch: the snapshot seen meanwhile confirms it on arrival', async () => {
    // Holds the answer of the upload: the server has committed, the laptop has not heard yet.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const uploadFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      await held;
      return res;
    };
    const l = await laptop('answered-late', { uploadFetch });
    try {
      const id = taskIds[1]!;
      l.offline();
      const { mutationId } = l.writes.update('tasks', { id }, { notes: 'Cable run finished' })!;
      const uploading = l.uploader.drain();
      await waitFor(
        async () =>
          (await stack.sql.query('select 1 from app.processed_mutations where id = $1', [mutationId])).rowCount === 1,
      );
      const oldHandle = readShapeState(l.db, 'tasks')!.handle;
      await rotateTasksShape();
      await l.online();
      await waitFor(() => readShapeState(l.db, 'tasks')!.handle !== oldHandle && l.live(), 20_000);
      // The refetched rows already hold the edit; the outbox still waits for the answer.
      expect(l.db.prepare('select notes from tasks where id = ?').pluck().get(id)).toBe('Cable run finished');
      expect(l.outbox()).toEqual([{ id: mutationId, state: 'queued' }]);

      release();
      await uploading;
      expect(l.outbox()).toEqual([]);
      expect(l.overlays()).toBe(0);
      expect(l.db.prepare('select count(*) from sync_seen_snapshots').pluck().get()).toBe(0);
      await stack.sql.query(`update tasks set notes = 'Dispatch: label the cables' where id = $1`, [id]);
      await waitFor(
        () => l.notes(id) === 'Dispatch: label the cables',
        10_000,
        () => `notes: ${l.notes(id)}`,
      );
    } finally {
      release();
      await l.close();
    }
  });
});
