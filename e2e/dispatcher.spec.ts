/**
 * A dispatcher's desk in browser mode against the real stack: the properties map drawn from the
 * replica with no network beyond the app, a property's detail and a task created for it, the device
 * inventory filtered and searched (totals equal to what Postgres says), its CSV export equal to the
 * filtered rows, and an inventory edit that reaches the server. Screenshots in artifacts/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { waitForSession, waitForSyncIdle } from './support/app-page.js';
import { keepScreenshot } from './support/screenshots.js';
import { startStackProcess, type StackProcess } from './support/stack-process.js';
import { startWebApp, type WebApp } from './support/web-app.js';

const DISPATCH = 'dispatch@northwind.test';

test.describe.configure({ mode: 'serial' });

let dir: string;
let stack: StackProcess;
let app: WebApp;
let page: Page;
let orgId: string;
const external: string[] = [];

test.beforeAll(async ({ browser }) => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-e2e-dispatch-'));
  fs.chmodSync(dir, 0o777); // the stack's Postgres runs as `postgres` when tests run as root
  stack = await startStackProcess({ dataDir: path.join(dir, 'stack'), scale: 3 });
  app = await startWebApp({ dataDir: path.join(dir, 'app'), serverUrl: stack.gatewayUrl });
  const [org] = await stack.query<{ id: string }>(
    `select m.organization_id as id from organization_members m join user_profiles u
       on u.user_id = m.user_id and u.organization_id = m.organization_id where u.email = $1`,
    [DISPATCH],
  );
  orgId = org!.id;
  page = await browser.newPage();
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.hostname !== '127.0.0.1' && url.protocol !== 'blob:' && url.protocol !== 'data:') external.push(r.url());
  });
  await page.goto(app.url);
  await page.getByLabel('Email').fill(DISPATCH);
  await page.getByLabel('Password').fill('fieldline-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForSession(page, 'signed-in');
  await waitForSyncIdle(page);
});

test.afterAll(async () => {
  await page?.close();
  await app?.stop();
  await stack?.stop();
});

const live = (table: string) => `${table}.organization_id = $1 and ${table}.deleted_at is null`;

async function sqlCount(sql: string, params: unknown[]): Promise<number> {
  const [row] = await stack.query<{ n: string }>(sql, params);
  return Number(row!.n);
}

test('properties: clustered markers from the replica beside the list, and nothing fetched from the internet', async () => {
  await page.getByRole('link', { name: 'Properties' }).click();
  const map = page.locator('[data-map-ready="true"]');
  await expect(map).toBeVisible({ timeout: 60_000 });
  const withPosition = await sqlCount(
    `select count(*) n from properties where ${live('properties')} and latitude is not null and longitude is not null`,
    [orgId],
  );
  await expect(map).toHaveAttribute('data-map-markers', String(withPosition));
  const all = await sqlCount(`select count(*) n from properties where ${live('properties')}`, [orgId]);
  await expect(page.locator('[data-properties-count]')).toHaveAttribute('data-properties-count', String(all));
  await keepScreenshot(page, 'properties-map');
  expect(external, 'requests left the machine').toEqual([]);
});

test('property: address, contacts, devices and open tasks as the server has them; a dispatcher creates and assigns a task', async () => {
  const [site] = await stack.query<{ id: string; name: string; city: string }>(
    `select p.id, p.name, p.city from properties p where ${live('p')}
        and (select count(*) from properties q where q.name = p.name and q.organization_id = p.organization_id) = 1
        and exists (select 1 from contacts c where c.property_id = p.id and c.deleted_at is null)
      order by p.name limit 1`,
    [orgId],
  );
  await page.getByLabel('Search properties').fill(site!.name);
  await expect(page.locator('[data-properties-search]')).toHaveAttribute('data-properties-search', site!.name);
  await page.getByRole('option', { name: new RegExp(`^${site!.name}`) }).click();
  await page.getByRole('link', { name: `Open ${site!.name}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: site!.name })).toBeVisible();

  const count = (sql: string) => sqlCount(sql, [site!.id]);
  // The site's own contacts, then the account's contacts that belong to no one site.
  const contacts = await count(
    `select count(*) n from contacts c join properties p on p.id = $1
      where c.deleted_at is null and (c.property_id = p.id or (c.account_id = p.account_id and c.property_id is null))`,
  );
  const devices = await count(`select count(*) n from devices where property_id = $1 and deleted_at is null`);
  const openTasks = await count(
    `select count(*) n from tasks where property_id = $1 and deleted_at is null and status not in ('done', 'cancelled')`,
  );
  await expect(page.getByRole('table', { name: /^Site contacts/ }).getByRole('row')).toHaveCount(contacts + 1);
  await expect(page.getByRole('table', { name: /^Devices/ }).getByRole('row')).toHaveCount(devices + 1);
  await expect(page.getByRole('heading', { name: /^Open tasks/ })).toHaveText(`Open tasks ${openTasks || ''}`.trim());
  await keepScreenshot(page, 'property-detail');

  // A device of the site gets a note, edited in place.
  const [siteDevice] = await stack.query<{ id: string; serial: string }>(
    `select id, serial_number as serial from devices where property_id = $1 and deleted_at is null
      order by serial_number limit 1`,
    [site!.id],
  );
  await page.getByRole('button', { name: `Edit ${siteDevice!.serial}` }).click();
  const edit = page.getByRole('form', { name: `Edit device ${siteDevice!.serial}` });
  await edit.getByLabel('Notes').fill('Lens cleaned; bracket loose');
  await edit.getByRole('button', { name: 'Save device' }).click();
  await expect(edit).toHaveCount(0);

  await page.getByRole('button', { name: 'Create a task for this site' }).click();
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Title').fill('Replace door contact batteries');
  await form.getByLabel('Priority').selectOption('high');
  await form.getByLabel('Assignee').selectOption({ label: 'Theo Lindqvist (technician)' });
  await form.getByLabel('Checklist').fill('Test each contact\nReplace batteries\nReport to monitoring');
  await form.getByRole('button', { name: 'Create task' }).click();
  await waitForSyncIdle(page);
  const [task] = await stack.query<{ id: string; priority: string; assignee: string; created_by: string }>(
    `select t.id, t.priority, a.email as assignee, c.email as created_by from tasks t
       join user_profiles a on a.user_id = t.assignee_id and a.organization_id = t.organization_id
       join user_profiles c on c.user_id = t.created_by and c.organization_id = t.organization_id
      where t.property_id = $1 and t.title = 'Replace door contact batteries'`,
    [site!.id],
  );
  expect(task).toMatchObject({ priority: 'high', assignee: 'tech2@northwind.test', created_by: DISPATCH });
  const items = await stack.query<{ title: string }>(
    `select title from task_subtasks where task_id = $1 order by position`,
    [task!.id],
  );
  expect(items.map((i) => i.title)).toEqual(['Test each contact', 'Replace batteries', 'Report to monitoring']);
  const [noted] = await stack.query<{ notes: string }>(`select notes from devices where id = $1`, [siteDevice!.id]);
  expect(noted!.notes).toBe('Lens cleaned; bracket loose');
});

/** Waits until the Devices screen shows the results of exactly this view. */
async function devicesShown(query: string): Promise<number> {
  const section = page.locator(`[data-devices-query="${query}"][data-devices-loading="false"]`);
  await expect(section).toBeVisible();
  return Number(await section.getAttribute('data-devices-total'));
}

test('devices: filters and serial search show exactly the rows Postgres has, and the CSV equals the filtered rows', async () => {
  await page.getByRole('link', { name: 'Devices' }).click();
  const everything = await sqlCount(`select count(*) n from devices where ${live('devices')}`, [orgId]);
  expect(await devicesShown('sort=serialNumber:asc')).toBe(everything);

  // Status: faulty or offline.
  await page.getByRole('button', { name: /^Status:/ }).click();
  await page.getByRole('checkbox', { name: 'Faulty' }).check();
  await page.getByRole('checkbox', { name: 'Offline' }).check();
  await page.keyboard.press('Escape');
  const byStatus = await sqlCount(
    `select count(*) n from devices where ${live('devices')} and status in ('faulty', 'offline')`,
    [orgId],
  );
  expect(await devicesShown('status=faulty,offline&sort=serialNumber:asc')).toBe(byStatus);

  // A serial fragment from the middle of a real serial, lower-cased: the search ignores case.
  const [sample] = await stack.query<{ serial: string }>(
    `select serial_number as serial from devices where ${live('devices')} and status in ('faulty', 'offline')
      order by serial_number limit 1 offset 3`,
    [orgId],
  );
  const fragment = sample!.serial.slice(2, 8).toLowerCase();
  await page.getByLabel('Search serial numbers').fill(fragment);
  const expected = await stack.query<{ serial: string }>(
    `select serial_number as serial from devices where ${live('devices')} and status in ('faulty', 'offline')
        and strpos(lower(serial_number), $2) > 0
      order by serial_number collate "C"`,
    [orgId, fragment],
  );
  expect(expected.length).toBeGreaterThan(0);
  expect(await devicesShown(`serial=${encodeURIComponent(fragment)}&status=faulty,offline&sort=serialNumber:asc`)).toBe(
    expected.length,
  );
  await keepScreenshot(page, 'devices-filtered');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const serialColumn = header.findIndex((h) => /serial/i.test(h));
  expect(serialColumn).toBeGreaterThanOrEqual(0);
  const serials = lines.slice(1).map((l) => l.split(',')[serialColumn]!.replace(/^"|"$/g, ''));
  expect(new Set(serials)).toEqual(new Set(expected.map((e) => e.serial)));
  expect(serials.length).toBe(expected.length);
});

test('an inventory edit goes through the outbox and reaches the server', async () => {
  const [device] = await stack.query<{ id: string; serial: string }>(
    `select id, serial_number as serial from devices where ${live('devices')} and status in ('faulty', 'offline')
      order by serial_number limit 1`,
    [orgId],
  );
  await page.getByLabel('Search serial numbers').fill(device!.serial);
  await devicesShown(`serial=${encodeURIComponent(device!.serial)}&status=faulty,offline&sort=serialNumber:asc`);
  await page.getByRole('button', { name: `Edit ${device!.serial}` }).click();
  const form = page.getByRole('form', { name: `Edit device ${device!.serial}` });
  await form.getByLabel('Status').selectOption('active');
  await form.getByLabel('Location').fill('Lobby, above the door (re-mounted)');
  await form.getByRole('button', { name: 'Save device' }).click();
  await waitForSyncIdle(page);
  const [server] = await stack.query<{ status: string; location: string }>(
    `select status, location from devices where id = $1`,
    [device!.id],
  );
  expect(server).toEqual({ status: 'active', location: 'Lobby, above the door (re-mounted)' });
  // Active is outside the status filter now: the row leaves the view.
  expect(
    await devicesShown(`serial=${encodeURIComponent(device!.serial)}&status=faulty,offline&sort=serialNumber:asc`),
  ).toBe(0);
  await keepScreenshot(page, 'devices-after-edit');
});
