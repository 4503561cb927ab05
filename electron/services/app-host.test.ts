/**
 * The app host end to end against the real stack: sign-in, sync to live, reads from the replica
 * compared with the server under SQL, a local write reaching the server, offline start from the
 * cache, sign-out keeping the replica, and a refused session ending in signed-out with a reason.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextStatuses } from '../../shared/api/task-status.js';
import { waitFor } from '../../sync/server/shape-service/client-test-support.js';
import { DEMO_PASSWORD, startTestStack, type TestStack } from '../../scripts/sync-e2e/test-stack.js';
import { openTestHost, removeDir, type TestHost } from '../test-support/host-fixture.js';
import { replicaFileOf } from './session-manager.js';

const TECH = 'tech@northwind.test';

let stack: TestStack;
let t: TestHost;
let dataDir: string;

beforeAll(async () => {
  stack = await startTestStack({ name: 'app-host', seed: 11 });
  t = await openTestHost({ serverUrl: stack.gateway.url });
  dataDir = t.dataDir;
});
afterAll(async () => {
  await t?.close();
  await stack?.stop();
  if (dataDir) removeDir(dataDir);
});

const openTaskIds = async (userId: string) =>
  (
    await stack.sql.query<{ id: string }>(
      `select id from tasks where assignee_id = $1 and deleted_at is null and status not in ('done', 'cancelled')`,
      [userId],
    )
  ).rows.map((r) => r.id);

describe('AppHost', () => {
  it('starts signed out, offering the default server', async () => {
    expect(await t.value('session:get')).toEqual({
      status: 'signed-out',
      serverUrl: stack.gateway.url,
      lastEmail: null,
      reason: null,
    });
    expect(await t.value('settings:get')).toEqual({ serverUrl: stack.gateway.url, theme: 'system' });
    expect(await t.value('sync:status')).toMatchObject({ state: 'signed-out', idle: false });
    expect(await t.call('tasks:mine')).toMatchObject({ ok: false, error: { code: 'signed_out' } });
    expect(await t.value('app:info')).toEqual({ version: '0.0.0-test', mode: 'browser', platform: process.platform });
  });

  it('refuses a wrong password with a code the sign-in form can show', async () => {
    const r = await t.call('session:sign-in', { serverUrl: stack.gateway.url, email: TECH, password: 'nope' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    expect(await t.call('session:sign-in', { serverUrl: 'ftp://x', email: TECH, password: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad_input' },
    });
  });

  it('signs a technician in, syncs to idle and serves their tasks from the replica', async () => {
    const tech = stack.user(TECH);
    const state = await t.value('session:sign-in', {
      serverUrl: stack.gateway.url,
      email: TECH,
      password: DEMO_PASSWORD,
    });
    expect(state).toMatchObject({
      status: 'signed-in',
      user: { id: tech.id, email: TECH, displayName: 'Tess Okafor' },
      organization: { id: tech.orgId, name: 'Northwind Security' },
      role: 'technician',
    });
    expect(t.events.some((e) => e.event === 'session:changed')).toBe(true);
    expect(fs.statSync(t.tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(replicaFileOf(dataDir, tech.id, tech.orgId))).toBe(true);

    const idle = await t.untilSync((o) => o.idle);
    expect(idle).toMatchObject({ state: 'live', online: true, lastError: null });
    expect(idle.tables.every((s) => s.phase === 'live')).toBe(true);
    // The sync centre heard about it through coalesced events, not a storm.
    const statusEvents = t.events.filter((e) => e.event === 'sync:status-changed');
    expect(statusEvents.length).toBeGreaterThan(0);
    expect(statusEvents.length).toBeLessThan(200);

    const mine = await t.value('tasks:mine', { includeClosed: false });
    expect(mine.map((x) => x.id).sort()).toEqual((await openTaskIds(tech.id)).sort());
    expect(mine.length).toBeGreaterThan(0);
    const due = mine.map((x) => x.dueAt).filter((d): d is string => d !== null);
    expect(due).toEqual([...due].sort());
    expect(mine.every((x) => x.assignee?.id === tech.id && x.assignee.name === 'Tess Okafor' && !x.pending)).toBe(true);
    const all = await t.value('tasks:mine', { includeClosed: true });
    const { rows } = await stack.sql.query<{ n: string }>(
      `select count(*) as n from tasks where assignee_id = $1 and deleted_at is null`,
      [tech.id],
    );
    expect(all.length).toBe(Number(rows[0]!.n));
  });

  it('tasks:get has the checklist, devices, contacts and the statuses this role may choose', async () => {
    const [first] = await t.value('tasks:mine', { includeClosed: false });
    const detail = await t.value('tasks:get', { id: first!.id });
    const server = await stack.sql.query<{ id: string; is_completed: boolean }>(
      `select id, is_completed from task_subtasks where task_id = $1 and deleted_at is null order by position, id`,
      [first!.id],
    );
    expect(detail.checklistItems.map((c) => [c.id, c.isCompleted])).toEqual(
      server.rows.map((r) => [r.id, r.is_completed]),
    );
    expect(detail.checklist).toEqual({
      total: server.rows.length,
      done: server.rows.filter((r) => r.is_completed).length,
    });
    const links = await stack.sql.query<{ device_id: string }>(
      `select device_id from task_devices where task_id = $1`,
      [first!.id],
    );
    expect(detail.devices.map((d) => d.device.id).sort()).toEqual(links.rows.map((r) => r.device_id).sort());
    expect(detail.devices.every((d) => d.device.property.id === detail.property.id)).toBe(true);
    expect(detail.contacts.length).toBeGreaterThan(0);
    expect(detail.property.account.name).not.toBe('Unknown account');
    expect(detail.nextStatuses).toEqual(nextStatuses(detail.status, 'technician'));
    expect(await t.call('tasks:get', { id: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('a checklist toggle shows at once as pending, reaches the server and is confirmed', async () => {
    const tech = stack.user(TECH);
    const mine = await t.value('tasks:mine', { includeClosed: false });
    const task = mine.find((x) => x.checklist.done < x.checklist.total)!;
    const item = (await t.value('tasks:get', { id: task.id })).checklistItems.find((c) => !c.isCompleted)!;
    const before = t.events.length;

    const receipt = await t.value('checklist:toggle', { id: item.id, completed: true });
    expect(receipt.mutationIds).toHaveLength(1);
    expect(t.events.slice(before)).toContainEqual({ event: 'replica:changed', payload: { tables: ['task_subtasks'] } });
    const shown = (await t.value('tasks:get', { id: task.id })).checklistItems.find((c) => c.id === item.id)!;
    expect(shown).toMatchObject({
      isCompleted: true,
      pending: true,
      completedBy: { id: tech.id, name: 'Tess Okafor' },
    });
    expect(shown.completedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await t.value('tasks:mine', { includeClosed: false })).find((x) => x.id === task.id)).toMatchObject({
      pending: true,
      checklist: { done: task.checklist.done + 1 },
    });
    // Toggling to what it already is queues nothing.
    expect(await t.value('checklist:toggle', { id: item.id, completed: true })).toEqual({ mutationIds: [] });

    await waitFor(async () => {
      const r = await stack.sql.query(`select is_completed, completed_by from task_subtasks where id = $1`, [item.id]);
      return r.rows[0]?.is_completed === true && r.rows[0]?.completed_by === tech.id;
    }, 30_000);
    await t.untilSync((o) => o.idle);
    const confirmed = (await t.value('tasks:get', { id: task.id })).checklistItems.find((c) => c.id === item.id)!;
    expect(confirmed).toMatchObject({ isCompleted: true, pending: false });
  });

  it('refuses edits the role may not make, queueing nothing', async () => {
    const [task] = await t.value('tasks:mine', { includeClosed: false });
    const site = task!.property.id;
    const created = await t.call('tasks:create', { propertyId: site, title: 'Not mine to plan', checklist: ['a'] });
    expect(created).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(!created.ok && created.error.message).toMatch(/technician.*cannot create tasks/i);
    const open = (await t.value('tasks:mine', { includeClosed: false })).find((x) => x.status === 'open');
    if (open) {
      const jump = await t.call('tasks:set-status', { id: open.id, status: 'done' });
      expect(jump).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(!jump.ok && jump.error.message).toMatch(/from open to done/);
    }
    const replan = await t.call('tasks:update', { id: task!.id, changes: { assigneeId: null } });
    expect(replan).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const overview = await t.value('sync:status');
    expect(overview.outbox).toMatchObject({ queued: 0, awaitingConfirmation: 0 });
  });

  it('answers bad input as bad_input naming the field', async () => {
    const r = await t.call('checklist:toggle', { id: 'nope', completed: true });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(!r.ok && r.error.message).toMatch(/^checklist:toggle: id: /);
    expect(await t.call('tasks:mine', { includeClosed: 'yes' } as never)).toMatchObject({
      ok: false,
      error: { code: 'bad_input' },
    });
  });

  it('records a device on a task in one action, and refuses a serial already recorded', async () => {
    const [task] = await t.value('tasks:mine', { includeClosed: false });
    const detail = await t.value('tasks:get', { id: task!.id });
    const [type] = await t.value('device-types:list');
    const taken = await stack.sql.query<{ serial_number: string }>(
      `select serial_number from devices where organization_id = $1 and deleted_at is null limit 1`,
      [stack.user(TECH).orgId],
    );
    const dup = await t.call('devices:add-to-task', {
      taskId: task!.id,
      deviceTypeId: type!.id,
      serialNumber: taken.rows[0]!.serial_number.toLowerCase(),
    });
    expect(dup).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(!dup.ok && dup.error.message).toContain(taken.rows[0]!.serial_number);

    const serial = `APP-TEST-${Date.now()}`;
    const added = await t.value('devices:add-to-task', {
      taskId: task!.id,
      deviceTypeId: type!.id,
      serialNumber: serial,
      location: 'Lobby, above the door',
    });
    expect(added.mutationIds).toHaveLength(3); // device, task link, history line
    const after = await t.value('tasks:get', { id: task!.id });
    const shown = after.devices.find((d) => d.device.id === added.deviceId)!;
    expect(shown.device).toMatchObject({ serialNumber: serial, status: 'installed', pending: true });
    expect(after.devices).toHaveLength(detail.devices.length + 1);
    expect(after.activity[0]).toMatchObject({ action: 'device', user: { name: 'Tess Okafor' } });
    await waitFor(async () => {
      const r = await stack.sql.query(
        `select d.serial_number, l.task_id from devices d join task_devices l on l.device_id = d.id where d.id = $1`,
        [added.deviceId],
      );
      return r.rows[0]?.serial_number === serial && r.rows[0]?.task_id === task!.id;
    }, 30_000);
    await t.untilSync((o) => o.idle);
  });
});

describe('AppHost offline and across restarts', () => {
  const keptReplica = (tech: { id: string; orgId: string }) => {
    const file = replicaFileOf(dataDir, tech.id, tech.orgId);
    return fs.existsSync(file) ? file : undefined;
  };

  it('opens signed in from the cached replica with the gateway stopped, queues edits, and sends them once back', async () => {
    const tech = stack.user(TECH);
    const before = await t.value('tasks:mine', { includeClosed: false });
    await t.close();
    const port = stack.gateway.port;
    await stack.gateway.stop();

    t = await openTestHost({ dataDir });
    expect(await t.value('session:get')).toMatchObject({ status: 'signed-in', user: { id: tech.id } });
    expect(await t.value('tasks:mine', { includeClosed: false })).toEqual(before);
    await t.untilSync((o) => o.state === 'offline' && !o.online);

    const task = before.find((x) => x.checklist.done < x.checklist.total)!;
    const item = (await t.value('tasks:get', { id: task.id })).checklistItems.find((c) => !c.isCompleted)!;
    await t.value('checklist:toggle', { id: item.id, completed: true });
    const waiting = await t.untilSync((o) => o.outbox.queued === 1 && o.outbox.lastUploadError !== null);
    expect(waiting.outbox.lastUploadError?.code).toBe('offline');
    expect(waiting.outbox.oldestQueuedAt).toMatch(/^\d{4}-/);

    stack.gateway = await stack.startGateway(port);
    expect(await t.value('sync:retry')).toBeNull();
    const idle = await t.untilSync((o) => o.idle);
    expect(idle.outbox).toMatchObject({ queued: 0, lastUploadError: null, oldestQueuedAt: null });
    const server = await stack.sql.query(`select is_completed from task_subtasks where id = $1`, [item.id]);
    expect(server.rows[0]?.is_completed).toBe(true);
  });

  it('an edit that conflicts lands in the inbox with a label; keeping mine sends it again', async () => {
    const port = stack.gateway.port;
    await stack.gateway.stop();
    const [task] = await t.value('tasks:mine', { includeClosed: false });
    await t.value('tasks:update', { id: task!.id, changes: { notes: 'Mine: bring the long ladder' } });
    await stack.sql.query(`update tasks set notes = 'Theirs: use the lift' where id = $1`, [task!.id]);
    stack.gateway = await stack.startGateway(port);
    await t.value('sync:retry');
    await t.untilSync((o) => o.outbox.conflicts === 1 && o.outbox.queued === 0 && o.outbox.awaitingConfirmation === 0);
    // "Theirs" is the row as the replica has it: the server's edit may still be on its way down.
    const entry = await waitFor(async () => {
      const [first] = await t.value('inbox:list');
      return first?.fields[0]?.theirs === 'Theirs: use the lift' ? first : undefined;
    });
    expect(entry).toMatchObject({
      kind: 'conflict',
      table: 'tasks',
      label: `Task: ${task!.title}`,
      fields: [{ column: 'notes', mine: 'Mine: bring the long ladder', theirs: 'Theirs: use the lift' }],
    });
    await waitFor(async () => (await t.value('tasks:get', { id: task!.id })).notes === 'Theirs: use the lift');

    const resolved = await t.value('inbox:resolve', { mutationId: entry!.mutationId, choice: 'mine' });
    expect(resolved.mutationIds).toHaveLength(1);
    expect(await t.value('inbox:list')).toEqual([]);
    await t.untilSync((o) => o.idle && o.outbox.conflicts === 0);
    const server = await stack.sql.query(`select notes from tasks where id = $1`, [task!.id]);
    expect(server.rows[0]?.notes).toBe('Mine: bring the long ladder');
    expect(await t.call('inbox:resolve', { mutationId: entry!.mutationId, choice: 'theirs' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('signs out (even offline) keeping the replica and its unsynced edits; signing in again sends them', async () => {
    const tech = stack.user(TECH);
    const port = stack.gateway.port;
    await stack.gateway.stop();
    const task = (await t.value('tasks:mine', { includeClosed: false })).find(
      (x) => x.checklist.done < x.checklist.total,
    )!;
    const item = (await t.value('tasks:get', { id: task.id })).checklistItems.find((c) => !c.isCompleted)!;
    await t.value('checklist:toggle', { id: item.id, completed: true });

    const out = await t.value('session:sign-out');
    expect(out).toEqual({ status: 'signed-out', serverUrl: stack.gateway.url, lastEmail: TECH, reason: null });
    expect(fs.existsSync(t.tokenFile)).toBe(false);
    expect(keptReplica(tech)).toBeDefined();
    expect(await t.value('sync:status')).toMatchObject({ state: 'signed-out' });
    expect(await t.call('tasks:mine')).toMatchObject({ ok: false, error: { code: 'signed_out' } });

    // A restart stays signed out.
    await t.close();
    t = await openTestHost({ dataDir });
    expect(await t.value('session:get')).toMatchObject({ status: 'signed-out', lastEmail: TECH });

    stack.gateway = await stack.startGateway(port);
    const signedInAt = (await stack.sql.query<{ now: Date }>('select now()')).rows[0]!.now;
    await t.value('session:sign-in', { serverUrl: stack.gateway.url, email: TECH, password: DEMO_PASSWORD });
    await t.untilSync((o) => o.idle);
    const server = await stack.sql.query(`select is_completed from task_subtasks where id = $1`, [item.id]);
    expect(server.rows[0]?.is_completed).toBe(true);

    // Online, sign-out also ends the session on the server (the offline one above could not).
    await t.value('session:sign-out');
    const families = await stack.sql.query<{ revoked_reason: string | null }>(
      `select distinct on (family_id) revoked_reason from app.refresh_tokens
       where user_id = $1 and issued_at >= $2 order by family_id, issued_at desc`,
      [tech.id, signedInAt],
    );
    expect(families.rows).toEqual([{ revoked_reason: 'logout' }]);
  });

  it('a session the server refuses ends in signed-out with the reason, keeping the replica', async () => {
    const tech = stack.user(TECH);
    const short = await stack.startGateway(0, { accessTokenTtlSeconds: 2 });
    try {
      await t.value('session:sign-in', { serverUrl: short.url, email: TECH, password: DEMO_PASSWORD });
      await t.untilSync((o) => o.state === 'live');
      // The engine refreshes these 2-second tokens; every rotation is saved, so a restart resumes the newest.
      const saved = () => JSON.parse(fs.readFileSync(t.tokenFile, 'utf8')) as { tokens: { refreshToken: string } };
      const first = saved().tokens.refreshToken;
      await waitFor(() => saved().tokens.refreshToken !== first, 15_000);
      await stack.sql.query(
        `update app.refresh_tokens set revoked_at = now(), revoked_reason = 'user_disabled'
         where user_id = $1 and revoked_at is null`,
        [tech.id],
      );
      await waitFor(async () => (await t.value('session:get')).status === 'signed-out', 30_000);
      const state = await t.value('session:get');
      expect(state).toMatchObject({ status: 'signed-out', lastEmail: TECH, reason: { code: 'session_expired' } });
      expect(state.status === 'signed-out' && state.reason?.message).toBeTruthy();
      expect(t.events.filter((e) => e.event === 'session:changed').at(-1)?.payload).toEqual(state);
      await waitFor(() => !fs.existsSync(t.tokenFile)); // forgotten once the engine has stopped
      expect(await t.value('sync:status')).toMatchObject({ state: 'signed-out' });
      expect(keptReplica(tech)).toBeDefined();
    } finally {
      await short.stop();
    }
  });
});
