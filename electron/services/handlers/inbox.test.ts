/**
 * inbox:list and inbox:resolve for an edit a rule overrode, against the real stack: a technician
 * starts a task offline while dispatch cancels it; dispatch's status wins (dispatch-status-wins), and
 * the technician is told in the inbox, with the rule and why, and can only acknowledge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFLICT_RULES } from '../../../shared/sync/conflict-policy.js';
import { waitFor } from '../../../sync/server/shape-service/client-test-support.js';
import { DEMO_PASSWORD, startTestStack, type TestStack } from '../../../scripts/sync-e2e/test-stack.js';
import { openTestHost, removeDir, type TestHost } from '../../test-support/host-fixture.js';

const TECH = 'tech@northwind.test';
const STATUS_WINS = CONFLICT_RULES.find((r) => r.name === 'dispatch-status-wins')!;

let stack: TestStack;
let t: TestHost;

beforeAll(async () => {
  stack = await startTestStack({ name: 'inbox-handlers', seed: 13 });
  t = await openTestHost({ serverUrl: stack.gateway.url });
  await t.value('session:sign-in', { serverUrl: stack.gateway.url, email: TECH, password: DEMO_PASSWORD });
  await t.untilSync((o) => o.idle);
});
afterAll(async () => {
  await t?.close();
  await stack?.stop();
  if (t) removeDir(t.dataDir);
});

describe('inbox handlers', () => {
  it('a status dispatch changed meanwhile wins and the technician is told; only acknowledging closes it', async () => {
    const task = (await t.value('tasks:mine', { includeClosed: false })).find((x) => x.status === 'scheduled')!;
    const port = stack.gateway.port;
    await stack.gateway.stop();
    await t.value('tasks:set-status', { id: task.id, status: 'in_progress' });
    await stack.sql.query(`update tasks set status = 'cancelled' where id = $1`, [task.id]);
    stack.gateway = await stack.startGateway(port);
    await t.value('sync:retry');

    const told = await t.untilSync((o) => o.outbox.overridden === 1 && o.outbox.queued === 0);
    expect(told.outbox).toMatchObject({ conflicts: 0, rejected: 0 });
    // "Theirs" is the row as the replica has it: dispatch's status may still be on its way down.
    const entry = await waitFor(async () => {
      const [first] = await t.value('inbox:list');
      return first?.fields[0]?.theirs === 'cancelled' ? first : undefined;
    });
    expect(entry).toMatchObject({
      kind: 'overridden',
      table: 'tasks',
      label: `Task: ${task.title}`,
      fields: [
        {
          column: 'status',
          base: 'scheduled',
          mine: 'in_progress',
          theirs: 'cancelled',
          resolution: 'server',
          rule: 'dispatch-status-wins',
          why: STATUS_WINS.why,
        },
      ],
      reason: { code: 'overridden', message: expect.stringContaining(STATUS_WINS.why) },
    });
    expect((await t.value('tasks:get', { id: task.id })).status).toBe('cancelled');

    // Keeping mine would undo dispatch's re-plan: refused, nothing queued, the entry stays.
    expect(await t.call('inbox:resolve', { mutationId: entry!.mutationId, choice: 'mine' })).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringMatching(/dispatch-status-wins.*Acknowledge/) },
    });
    expect(await t.value('inbox:list')).toHaveLength(1);
    expect(await t.value('inbox:resolve', { mutationId: entry!.mutationId, choice: 'acknowledge' })).toEqual({
      mutationIds: [],
    });
    expect(await t.value('inbox:list')).toEqual([]);
    const after = await t.untilSync((o) => o.idle && o.outbox.overridden === 0);
    expect(after.outbox).toMatchObject({ queued: 0, conflicts: 0 });
    const server = await stack.sql.query(`select status from tasks where id = $1`, [task.id]);
    expect(server.rows[0]?.status).toBe('cancelled');
  });
});
