/**
 * The write path end to end, one client: a local edit is visible at once, uploads, is applied by
 * the gateway under RLS, and leaves the outbox only when its txid arrives on the shape stream.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GatewaySession } from '../../sync/client/auth/gateway-session.js';
import { LocalWrites } from '../../sync/client/local/local-writes.js';
import { outboxCounts } from '../../sync/client/local/outbox.js';
import { Uploader } from '../../sync/client/local/uploader.js';
import { openReplica } from '../../sync/client/replica/open-replica.js';
import { ShapeConsumer } from '../../sync/client/shape-consumer.js';
import { waitFor } from '../../sync/server/shape-service/client-test-support.js';
import { DEMO_PASSWORD, startTestStack, type TestStack } from './test-stack.js';

let stack: TestStack;
beforeAll(async () => (stack = await startTestStack({ name: 'outbox-smoke', seed: 8 })));
afterAll(() => stack?.stop());

it('edit → visible at once → uploaded → applied on the server → confirmed by its txid on the stream', async () => {
  const session = await GatewaySession.login(stack.gateway.url, 'tech@northwind.test', DEMO_PASSWORD);
  const { db: replica } = openReplica(path.join(stack.dir, 'a.db'));
  const consumer = new ShapeConsumer({
    db: replica,
    serverUrl: stack.gateway.url,
    getToken: () => session.getToken(),
    retry: { initialDelay: 50, maxDelay: 300, multiplier: 1.5 },
  }).start();
  const uploader = new Uploader({ db: replica, serverUrl: stack.gateway.url, getToken: () => session.getToken() });
  try {
    await waitFor(() => consumer.isLive(), 30_000);
    const task = replica.prepare(`select id, title from tasks_view order by id limit 1`).get() as { id: string };
    const writes = new LocalWrites(replica);
    writes.update('tasks', { id: task.id }, { title: 'Edited offline', tags: ['offline', 'smoke'] });
    const shown = () => replica.prepare(`select title, tags from tasks_view where id = ?`).get(task.id);
    expect(shown()).toEqual({ title: 'Edited offline', tags: '["offline","smoke"]' });
    expect(outboxCounts(replica).queued).toBe(1);

    await uploader.drain();
    expect(outboxCounts(replica)).toMatchObject({ queued: 0, rejected: 0, conflicts: 0 });
    const server = await stack.sql.query('select title, tags from tasks where id = $1', [task.id]);
    expect(server.rows[0]).toEqual({ title: 'Edited offline', tags: ['offline', 'smoke'] });
    // Never flickers back to the old title while waiting for the txid.
    await waitFor(() => {
      expect(shown()).toEqual({ title: 'Edited offline', tags: '["offline","smoke"]' });
      return outboxCounts(replica).awaitingConfirmation === 0;
    }, 15_000);
    expect(replica.prepare('select count(*) from local_tasks').pluck().get()).toBe(0);
    expect(replica.prepare('select title from tasks where id = ?').pluck().get(task.id)).toBe('Edited offline');
  } finally {
    consumer.close();
    await uploader.stop();
    replica.close();
  }
});
