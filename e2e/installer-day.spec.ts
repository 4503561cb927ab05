/**
 * An installer's day in browser mode against the real local stack: sign in, watch the first sync,
 * work a task's checklist and close it while the gateway is down, see it reach the server once the
 * gateway is back; then two edits that collide with a dispatcher's, resolved both ways from the
 * conflict inbox. Screenshots are kept in artifacts/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  drawnProgressBars,
  recordedEvents,
  recordEvents,
  waitForQueued,
  waitForSession,
  waitForSyncIdle,
  waitForSyncState,
} from './support/app-page.js';
import { keepScreenshot } from './support/screenshots.js';
import { editTaskText, signIn } from './support/second-client.js';
import { startStackProcess, type StackProcess } from './support/stack-process.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { startWebApp, type WebApp } from './support/web-app.js';

const TECH = 'tech@northwind.test';
const PASSWORD = 'fieldline-demo';

test.describe.configure({ mode: 'serial' });

let dir: string;
let stack: StackProcess;
let proxy: TcpProxy;
let app: WebApp;
let page: Page;
let techId: string;

test.beforeAll(async ({ browser }) => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-e2e-'));
  fs.chmodSync(dir, 0o777); // the stack's Postgres runs as `postgres` when tests run as root
  // Scale 10: enough rows that the first sync takes a visible moment.
  stack = await startStackProcess({ dataDir: path.join(dir, 'stack'), scale: 10 });
  proxy = await startTcpProxy(stack.port);
  app = await startWebApp({ dataDir: path.join(dir, 'app'), serverUrl: proxy.url });
  const [tech] = await stack.query<{ id: string }>(`select user_id as id from user_profiles where email = $1`, [TECH]);
  techId = tech!.id;
  page = await browser.newPage();
  await recordEvents(page);
});

test.afterAll(async () => {
  await page?.close();
  await app?.stop();
  await proxy?.close();
  await stack?.stop();
});

/** An open task of the technician with unfinished checklist items, the earliest due first. */
async function openTaskWithChecklist(skip: string[] = []): Promise<{ id: string; title: string }> {
  const [task] = await stack.query<{ id: string; title: string }>(
    `select t.id, t.title from tasks t
      where t.assignee_id = $1 and t.status = 'open' and t.deleted_at is null and not (t.id = any($2::uuid[]))
        and exists (select 1 from task_subtasks s where s.task_id = t.id and not s.is_completed and s.deleted_at is null)
      order by t.due_at nulls last, t.id limit 1`,
    [techId, skip],
  );
  if (!task) throw new Error('the demo data has no open task with a checklist for the technician');
  return task;
}

/** Opens a task the way a link to it does (demo titles repeat, so a title alone may not pick one row). */
async function openTask(task: { id: string; title: string }): Promise<void> {
  await page.evaluate((hash) => (location.hash = hash), `#/task/${task.id}`);
  await expect(page.getByRole('heading', { level: 1, name: task.title })).toBeVisible();
}

test('sign in: the first sync shows its progress, then My work lists the technician’s tasks', async () => {
  await page.goto(app.url);
  await expect(page.getByLabel('Server address')).toHaveValue(proxy.url);
  await page.getByLabel('Email').fill(TECH);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForSession(page, 'signed-in');
  await page.getByRole('link', { name: 'Sync centre' }).click();
  // The picture of the first sync under way, when the screen shows a bar part-way (it usually does
  // at this scale; the assertion below holds either way, on what the page recorded).
  const partWayBar = page.locator('[role="progressbar"][aria-valuenow]:not([aria-valuenow="0"])');
  await partWayBar
    .first()
    .waitFor({ timeout: 20_000 })
    .then(() => keepScreenshot(page, 'sync-centre-initial-sync'))
    .catch(() => undefined);
  await waitForSyncIdle(page);

  // The progress the screen drew from: some table was reported part-way, with the server's total.
  type Overview = { state: string; tables: Array<{ rows: number; total: number | null }> };
  const overviews = (await recordedEvents(page, 'sync:status-changed')) as Overview[];
  const states = overviews.map((o) => o.state);
  expect(states).toContain('initial');
  expect(states.indexOf('initial')).toBeLessThan(states.lastIndexOf('live'));
  const partWay = overviews.some((o) => o.tables.some((t) => t.total !== null && t.total > 0 && t.rows < t.total));
  expect(partWay, 'a status event showed a table part-way through its first sync').toBe(true);
  const bars = await drawnProgressBars(page);
  expect(
    bars.some((b) => b.max > 0 && b.now < b.max),
    'the Sync centre drew a progress bar part-way through the first sync',
  ).toBe(true);
  await keepScreenshot(page, 'sync-centre-live');

  await page.getByRole('link', { name: 'My work' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My work' })).toBeVisible();
  // The first row is the technician's soonest-due open task, as the server has it.
  const [first] = await stack.query<{ title: string }>(
    `select title from tasks where assignee_id = $1 and status not in ('done', 'cancelled') and deleted_at is null
      order by due_at nulls last,
        case priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end, title, id
      limit 1`,
    [techId],
  );
  const firstRow = page.locator('a.task-row-link').first();
  await expect(firstRow).toHaveText(first!.title);
  await keepScreenshot(page, 'my-work');
  await firstRow.click();
  await expect(page.getByRole('heading', { level: 1, name: first!.title })).toBeVisible();
});

test('with the gateway stopped, the checklist is completed and the task closed; all of it reaches the server once it is back', async () => {
  const task = await openTaskWithChecklist();
  const items = await stack.query<{ id: string; title: string }>(
    `select id, title from task_subtasks where task_id = $1 and deleted_at is null order by position, id`,
    [task.id],
  );
  await openTask(task);

  await stack.stop();
  await waitForSyncState(page, 'offline');

  await page.getByRole('button', { name: 'Mark in progress' }).click();
  for (const item of items) {
    const box = page.getByRole('checkbox', { name: item.title, exact: true });
    if (!(await box.isChecked())) await box.check();
    await expect(box).toBeChecked();
  }
  await page.getByRole('button', { name: 'Mark done' }).click();
  await waitForQueued(page, 2);
  await expect(page.getByText('Unsynced').first()).toBeVisible();
  await keepScreenshot(page, 'task-closed-offline');

  // Nothing reached the server yet: it is down. Bring it back and wait until every edit is confirmed.
  await stack.start();
  await waitForSyncIdle(page);

  const [server] = await stack.query<{ status: string; completed_by: string | null }>(
    `select status, completed_by from tasks where id = $1`,
    [task.id],
  );
  expect(server).toEqual({ status: 'done', completed_by: techId });
  const subtasks = await stack.query<{ is_completed: boolean; completed_by: string | null }>(
    `select is_completed, completed_by from task_subtasks where task_id = $1 and deleted_at is null`,
    [task.id],
  );
  expect(subtasks.length).toBe(items.length);
  for (const s of subtasks) expect(s.is_completed).toBe(true);
  await expect(page.getByText('Unsynced')).toHaveCount(0);
  await keepScreenshot(page, 'task-synced');
});

test('edits that collide with a dispatcher’s land in the conflict inbox and resolve both ways', async () => {
  const keep = await openTaskWithChecklist();
  const take = await openTaskWithChecklist([keep.id]);

  // The laptop loses its network; the technician writes notes on two tasks.
  await proxy.cut();
  await waitForSyncState(page, 'offline');
  for (const [task, notes] of [
    [keep, 'Tech: panel battery replaced, keep this'],
    [take, 'Tech: note that should give way'],
  ] as const) {
    await openTask(task);
    await page.getByLabel('Notes').fill(notes);
    await page.getByRole('button', { name: 'Save notes' }).click();
    await expect(page.getByText('Unsynced').first()).toBeVisible();
  }

  // Meanwhile dispatch edits the same notes from the office.
  const dispatcher = await signIn(stack.gatewayUrl, 'dispatch@northwind.test', PASSWORD);
  for (const task of [keep, take])
    expect(
      await editTaskText(stack, dispatcher, task.id, 'notes', `Dispatch: call ahead (${task.title})`),
    ).toMatchObject({
      status: 'applied',
    });

  await proxy.restore();
  await waitForSyncIdle(page);
  await page.getByRole('link', { name: 'Sync centre' }).click();
  const keepEntry = page.getByRole('article', { name: `Task: ${keep.title}` });
  const takeEntry = page.getByRole('article', { name: `Task: ${take.title}` });
  await expect(keepEntry).toContainText('Tech: panel battery replaced, keep this');
  await expect(keepEntry).toContainText(`Dispatch: call ahead (${keep.title})`);
  await expect(takeEntry).toContainText('Tech: note that should give way');
  await keepScreenshot(page, 'conflict-inbox');

  await keepEntry.getByRole('button', { name: 'Keep mine' }).click();
  await expect(keepEntry).toHaveCount(0);
  await takeEntry.getByRole('button', { name: 'Take theirs' }).click();
  await expect(takeEntry).toHaveCount(0);
  await waitForSyncIdle(page);

  const notes = async (id: string) =>
    (await stack.query<{ notes: string }>(`select notes from tasks where id = $1`, [id]))[0]!.notes;
  expect(await notes(keep.id)).toBe('Tech: panel battery replaced, keep this');
  expect(await notes(take.id)).toBe(`Dispatch: call ahead (${take.title})`);
  await openTask(take);
  await expect(page.getByLabel('Notes')).toHaveValue(`Dispatch: call ahead (${take.title})`);
  await keepScreenshot(page, 'conflicts-resolved');
});

test('the next morning, with no network, the app opens signed in from the laptop’s replica', async () => {
  await app.stop();
  await proxy.cut();
  app = await startWebApp({ dataDir: app.dataDir, serverUrl: proxy.url });
  await page.goto(app.url);
  await waitForSession(page, 'signed-in');
  await waitForSyncState(page, 'offline');
  await expect(page.getByRole('heading', { level: 1, name: 'My work' })).toBeVisible();
  await expect(page.locator('a.task-row-link').first()).toBeVisible();
  await keepScreenshot(page, 'my-work-offline-start');
});
