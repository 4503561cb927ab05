/**
 * The device inventory as a dispatcher sees it, against the real stack: every filter and sort of
 * devices:query returns exactly the rows and order SQL gives on the server, local edits show at
 * once, and the CSV export holds the same rows, quoted and defused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelInput } from '../../../shared/api/contract.js';
import { DEMO_PASSWORD, startTestStack, type TestStack } from '../../../scripts/sync-e2e/test-stack.js';
import { openTestHost, removeDir, type TestHost } from '../../test-support/host-fixture.js';

const DISPATCH = 'dispatch@northwind.test';

let stack: TestStack;
let t: TestHost;
let org: string;

beforeAll(async () => {
  stack = await startTestStack({ name: 'devices-query', seed: 12 });
  org = stack.user(DISPATCH).orgId;
  // Values a spreadsheet would run, and a comma and quotes to quote, before the replica syncs them.
  await stack.sql.query(
    `update devices set label = '=HYPERLINK("http://evil.example","click")', notes = 'ceiling, "north" side'
     where id = (select id from devices where organization_id = $1 order by serial_number limit 1)`,
    [org],
  );
  t = await openTestHost({ serverUrl: stack.gateway.url });
  await t.value('session:sign-in', { serverUrl: stack.gateway.url, email: DISPATCH, password: DEMO_PASSWORD });
  await t.untilSync((o) => o.idle);
});
afterAll(async () => {
  await t?.close();
  await stack?.stop();
  if (t) removeDir(t.dataDir);
});

type Query = ChannelInput<'devices:query'>;

const ORDER: Record<string, string> = {
  serialNumber: 'lower(d.serial_number) collate "C"',
  status: 'd.status, lower(d.serial_number) collate "C"',
  type: 'lower(dt.name) collate "C", lower(d.serial_number) collate "C"',
  property: 'lower(p.name) collate "C", lower(d.serial_number) collate "C"',
  account: 'lower(a.name) collate "C", lower(d.serial_number) collate "C"',
};

/** The same question asked of the server's rows (the replica holds exactly the org's rows). */
async function sqlIds(q: Query): Promise<{ ids: string[]; total: number }> {
  const where = ['d.organization_id = $1', 'd.deleted_at is null'];
  const params: unknown[] = [org];
  const add = (sql: string, v: unknown) => (params.push(v), where.push(sql.replace('?', `$${params.length}`)));
  if (q.serial) add(`d.serial_number ilike ?`, `%${q.serial}%`);
  if (q.typeIds?.length) add('d.device_type_id = any(?::uuid[])', q.typeIds);
  if (q.statuses?.length) add('d.status = any(?::text[])', q.statuses);
  if (q.propertyId) add('d.property_id = ?', q.propertyId);
  if (q.accountId) add('p.account_id = ?', q.accountId);
  const sort = q.sort ?? { column: 'serialNumber', direction: 'asc' };
  const order = ORDER[sort.column]!.split(', ')
    .map((term) => `${term} ${sort.direction}`)
    .join(', ');
  const { rows } = await stack.sql.query<{ id: string }>(
    `select d.id from devices d join properties p on p.id = d.property_id join accounts a on a.id = p.account_id
     join device_types dt on dt.id = d.device_type_id where ${where.join(' and ')} order by ${order}`,
    params,
  );
  const all = rows.map((r) => r.id);
  return { ids: all.slice(q.offset ?? 0, (q.offset ?? 0) + (q.limit ?? 200)), total: all.length };
}

async function expectSameAsSql(q: Query) {
  const got = await t.value('devices:query', q);
  const want = await sqlIds(q);
  expect({ total: got.total, ids: got.rows.map((r) => r.id) }, JSON.stringify(q)).toEqual({
    total: want.total,
    ids: want.ids,
  });
  return got;
}

describe('devices:query', () => {
  it('pages through the whole inventory sorted by serial, with the total', async () => {
    const first = await expectSameAsSql({ limit: 50 });
    expect(first.total).toBeGreaterThan(500);
    await expectSameAsSql({ offset: 400, limit: 100 });
    await expectSameAsSql({ offset: first.total - 10, limit: 50, sort: { column: 'serialNumber', direction: 'desc' } });
    expect(first.rows[0]).toMatchObject({ type: { name: expect.any(String) }, account: { name: expect.any(String) } });
  });

  it('searches serials case-insensitively, prefix or anywhere, with _ and % taken literally', async () => {
    const [sample] = (await t.value('devices:query', { limit: 1, offset: 123 })).rows;
    const serial = sample!.serialNumber;
    const prefix = await expectSameAsSql({ serial: serial.slice(0, 4).toLowerCase(), limit: 1000 });
    expect(prefix.total).toBeGreaterThan(0);
    const inner = await expectSameAsSql({ serial: serial.slice(3, 9).toLowerCase(), limit: 1000 });
    expect(inner.rows.map((r) => r.id)).toContain(sample!.id);
    expect((await t.value('devices:query', { serial: '%' })).total).toBe(0);
    expect((await t.value('devices:query', { serial: '_' })).total).toBe(0);
  });

  it('filters by type, status, site and account, and sorts by every column', async () => {
    const types = await t.value('device-types:list');
    const { rows: sites } = await stack.sql.query<{ id: string; account_id: string }>(
      `select id, account_id from properties where organization_id = $1 order by name limit 2`,
      [org],
    );
    await expectSameAsSql({ typeIds: [types[0]!.id, types[1]!.id], limit: 1000 });
    await expectSameAsSql({
      statuses: ['faulty', 'offline'],
      sort: { column: 'status', direction: 'desc' },
      limit: 1000,
    });
    await expectSameAsSql({ propertyId: sites[0]!.id, limit: 1000 });
    await expectSameAsSql({ accountId: sites[1]!.account_id, sort: { column: 'type', direction: 'asc' }, limit: 1000 });
    for (const column of ['type', 'property', 'account'] as const)
      for (const direction of ['asc', 'desc'] as const)
        await expectSameAsSql({ sort: { column, direction }, offset: 20, limit: 60 });
    await expectSameAsSql({
      statuses: ['active'],
      typeIds: [types[2]!.id],
      serial: '-',
      sort: { column: 'account', direction: 'desc' },
    });
  });

  it('sorts by last update (ties in a stable order across pages)', async () => {
    const all = await t.value('devices:query', { sort: { column: 'updatedAt', direction: 'desc' }, limit: 1000 });
    const paged = [
      ...(await t.value('devices:query', { sort: { column: 'updatedAt', direction: 'desc' }, limit: 300 })).rows,
      ...(await t.value('devices:query', { sort: { column: 'updatedAt', direction: 'desc' }, offset: 300, limit: 700 }))
        .rows,
    ];
    expect(paged.map((r) => r.id)).toEqual(all.rows.map((r) => r.id));
    const times = all.rows.map((r) => r.updatedAt ?? '');
    expect(times).toEqual([...times].sort().reverse());
  });

  it('shows a local edit at once: the edited row moves between filters and is pending', async () => {
    const { rows } = await t.value('devices:query', { statuses: ['active'], limit: 1 });
    const device = rows[0]!;
    const before = await t.value('devices:query', { statuses: ['removed'], limit: 1000 });
    await t.value('devices:update', { id: device.id, changes: { status: 'removed', notes: 'taken down' } });
    const after = await t.value('devices:query', { statuses: ['removed'], limit: 1000 });
    expect(after.total).toBe(before.total + 1);
    expect(after.rows.find((r) => r.id === device.id)).toMatchObject({ status: 'removed', pending: true });
    expect((await t.value('devices:query', { statuses: ['active'], limit: 1000 })).rows.map((r) => r.id)).not.toContain(
      device.id,
    );
    await t.untilSync((o) => o.idle);
    await expectSameAsSql({ statuses: ['removed'], limit: 1000 });
  });
});

describe('devices:export-csv', () => {
  it('is the filtered inventory in the same order, quoted and defused, as a download in browser mode', async () => {
    const filter = {
      statuses: ['active', 'faulty'] as ('active' | 'faulty')[],
      sort: { column: 'serialNumber', direction: 'asc' } as const,
    };
    const out = await t.value('devices:export-csv', filter);
    expect(out.kind).toBe('download');
    if (out.kind !== 'download') return;
    const query = await t.value('devices:query', { ...filter, limit: 1000 });
    expect(out.rows).toBe(query.total);
    expect(out.fileName).toMatch(/^devices-\d{4}-\d\d-\d\d\.csv$/);
    const lines = out.csv.split('\r\n');
    expect(lines[0]).toBe(
      'Serial number,Type,Manufacturer,Model,Status,Label,Location,Floor,Zone,Site,Address,City,Account,Install date,Notes,Updated at',
    );
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(query.rows.map((r) => r.serialNumber));

    const all = await t.value('devices:export-csv', {});
    if (all.kind !== 'download') return;
    expect(all.csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(all.csv).toContain('"ceiling, ""north"" side"');
  });
});
