import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEVICE_CATEGORIES } from '../../../shared/schema/tables.js';
import { DEVICE_CATALOG } from './catalog.js';
import { generateDemo } from './demo-data.js';
import type { DemoOptions, DemoUser, Emitted, Row } from './demo-data.js';

const ANCHOR = new Date('2026-03-15T12:34:56Z');
const ANCHOR_MIDNIGHT = Date.parse('2026-03-15T00:00:00Z');

type Demo = { rows: Emitted[]; users: DemoUser[] };

function collect(opts: DemoOptions): Demo {
  const gen = generateDemo(opts);
  const rows: Emitted[] = [];
  for (let step = gen.next(); ; step = gen.next()) {
    if (step.done) return { rows, users: step.value };
    rows.push(step.value);
  }
}

/** sha256 over the JSON of every yielded row (and the returned users), in order. */
function fingerprint(opts: DemoOptions): string {
  const h = crypto.createHash('sha256');
  const gen = generateDemo(opts);
  for (let step = gen.next(); ; step = gen.next()) {
    h.update(JSON.stringify(step.value));
    h.update('\n');
    if (step.done) return h.digest('hex');
  }
}

const rowsOf = (demo: Demo, table: string): Row[] => demo.rows.filter(([t]) => t === table).map(([, r]) => r);
const str = (v: unknown): string => {
  if (typeof v !== 'string') throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
};

/** Which table a foreign-key column points at. */
const REFERENCES: Record<string, string> = {
  organization_id: 'organizations',
  account_id: 'accounts',
  property_id: 'properties',
  project_id: 'projects',
  task_id: 'tasks',
  device_id: 'devices',
  device_type_id: 'device_types',
  subtask_id: 'task_subtasks',
  file_id: 'files',
  user_id: 'app.users',
  created_by: 'app.users',
  installed_by: 'app.users',
  assignee_id: 'app.users',
  completed_by: 'app.users',
  uploaded_by: 'app.users',
};
const ENTITY_TABLES: Record<string, string> = { task: 'tasks', property: 'properties' };

describe('generateDemo', () => {
  const demo = collect({ seed: 7, anchor: ANCHOR });

  it('is deterministic: the same seed and anchor give identical output', () => {
    const a = fingerprint({ seed: 7, anchor: ANCHOR });
    expect(fingerprint({ seed: 7, anchor: ANCHOR })).toBe(a);
    // Only the day of the anchor matters (it is rounded to midnight UTC).
    expect(fingerprint({ seed: 7, anchor: new Date(ANCHOR_MIDNIGHT + 3_600_000) })).toBe(a);
    // The default seed is fixed too.
    expect(fingerprint({ anchor: ANCHOR })).toBe(fingerprint({ anchor: ANCHOR }));
  });

  it('differs for a different seed, and for a different anchor day', () => {
    const a = fingerprint({ seed: 7, anchor: ANCHOR });
    expect(fingerprint({ seed: 8, anchor: ANCHOR })).not.toBe(a);
    expect(fingerprint({ seed: 7, anchor: new Date(ANCHOR_MIDNIGHT + 86_400_000) })).not.toBe(a);
  });

  it('creates the documented users with their roles and organizations', () => {
    const orgName = new Map(rowsOf(demo, 'organizations').map((o) => [o.id, o.name]));
    const emailById = new Map(rowsOf(demo, 'app.users').map((u) => [u.id, u.email]));
    const members = rowsOf(demo, 'organization_members');
    expect(members).toHaveLength(6);
    const found: Record<string, { role: unknown; org: unknown }> = Object.fromEntries(
      members.map((m) => [emailById.get(m.user_id), { role: m.role, org: orgName.get(m.organization_id) }]),
    );
    expect(found).toEqual({
      'admin@northwind.test': { role: 'admin', org: 'Northwind Security' },
      'dispatch@northwind.test': { role: 'dispatcher', org: 'Northwind Security' },
      'tech@northwind.test': { role: 'technician', org: 'Northwind Security' },
      'tech2@northwind.test': { role: 'technician', org: 'Northwind Security' },
      'admin@contoso.test': { role: 'admin', org: 'Contoso Alarm' },
      'tech@contoso.test': { role: 'technician', org: 'Contoso Alarm' },
    });
    expect(rowsOf(demo, 'app.users')).toHaveLength(6);
    // The returned users agree with the rows, and no row carries a password or hash.
    expect(Object.fromEntries(demo.users.map((u) => [u.email, u.role]))).toEqual(
      Object.fromEntries(Object.entries(found).map(([email, v]) => [email, v.role])),
    );
    for (const u of rowsOf(demo, 'app.users')) expect(Object.keys(u).sort()).toEqual(['display_name', 'email', 'id']);
    expect(JSON.stringify(demo.rows)).not.toContain('fieldline-demo');
  });

  it('gives every task 3–12 checklist items, numbered from 0', () => {
    const tasks = rowsOf(demo, 'tasks');
    expect(tasks.length).toBeGreaterThan(0);
    const positions = new Map<unknown, number[]>(tasks.map((t) => [t.id, []]));
    for (const s of rowsOf(demo, 'task_subtasks')) positions.get(s.task_id)!.push(s.position as number);
    for (const [taskId, list] of positions) {
      expect(list.length, `task ${String(taskId)}`).toBeGreaterThanOrEqual(3);
      expect(list.length, `task ${String(taskId)}`).toBeLessThanOrEqual(12);
      expect(list).toEqual(list.map((_, i) => i));
    }
  });

  it('keeps device serial numbers unique per organization, ignoring case', () => {
    const seen = new Map<unknown, Set<string>>();
    for (const d of rowsOf(demo, 'devices')) {
      const serials = seen.get(d.organization_id) ?? new Set<string>();
      seen.set(d.organization_id, serials);
      const serial = str(d.serial_number).toLowerCase();
      expect(serials.has(serial), `duplicate serial ${serial}`).toBe(false);
      serials.add(serial);
    }
    expect(seen.size).toBe(2);
  });

  it('has work for tech@northwind.test, and overdue work that is not done', () => {
    const tech = rowsOf(demo, 'app.users').find((u) => u.email === 'tech@northwind.test')!;
    const tasks = rowsOf(demo, 'tasks');
    const mine = tasks.filter((t) => t.assignee_id === tech.id);
    expect(mine.length).toBeGreaterThan(0);
    const overdue = tasks.filter((t) => Date.parse(str(t.due_at)) < ANCHOR_MIDNIGHT && t.status !== 'done');
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.some((t) => t.assignee_id === tech.id)).toBe(true);
    // …and work due in the days after the anchor.
    expect(tasks.some((t) => Date.parse(str(t.due_at)) > ANCHOR_MIDNIGHT && t.status !== 'done')).toBe(true);
  });

  it('puts every property inside one metro area', () => {
    const properties = rowsOf(demo, 'properties');
    expect(properties.length).toBeGreaterThan(0);
    for (const p of properties) {
      expect(p.latitude).toBeGreaterThanOrEqual(47.3);
      expect(p.latitude).toBeLessThanOrEqual(47.9);
      expect(p.longitude).toBeGreaterThanOrEqual(-122.6);
      expect(p.longitude).toBeLessThanOrEqual(-121.8);
    }
  });

  it('uses all nine device categories of the catalog', () => {
    const categoryOfType = new Map(rowsOf(demo, 'device_types').map((t) => [t.id, t.category]));
    const used = new Set(rowsOf(demo, 'devices').map((d) => categoryOfType.get(d.device_type_id)));
    const nine = [
      'camera',
      'nvr',
      'access_reader',
      'door_contact',
      'motion_sensor',
      'glass_break',
      'panel',
      'keypad',
      'siren',
    ];
    expect([...used].sort()).toEqual([...nine].sort());
    // The catalog is exactly these nine, all allowed by the schema.
    expect([...new Set(DEVICE_CATALOG.map((d) => d.category))].sort()).toEqual([...nine].sort());
    for (const c of nine) expect(DEVICE_CATEGORIES).toContain(c);
  });

  it('scales: --scale 2 gives about twice the devices of scale 1', () => {
    const count = (scale: number) =>
      collect({ seed: 7, scale, anchor: ANCHOR }).rows.filter(([t]) => t === 'devices').length;
    const ratio = count(2) / count(1);
    expect(ratio).toBeGreaterThanOrEqual(1.6);
    expect(ratio).toBeLessThanOrEqual(2.4);
  });

  it('rejects a scale that is not a whole number ≥ 1 with a RangeError', () => {
    for (const scale of [0, 1.5, -1, Number.NaN]) {
      expect(() => generateDemo({ scale }).next(), String(scale)).toThrow(RangeError);
    }
  });

  it('yields every row after the rows it references, within the same organization', () => {
    const seen = new Map<string, Map<string, unknown>>(); // table → id → organization_id
    const orgsOfUser = new Map<string, Set<unknown>>();
    const ids = (table: string) => seen.get(table) ?? new Map<string, unknown>();
    let checked = 0;
    for (const [table, row] of demo.rows) {
      const where = `${table} ${String(row.id)}`;
      for (const [column, parentTable] of Object.entries(REFERENCES)) {
        const ref = row[column];
        if (ref === null || ref === undefined) continue;
        const parent = ids(parentTable);
        expect(parent.has(str(ref)), `${where}: ${column} → ${parentTable} ${String(ref)} not yielded yet`).toBe(true);
        checked++;
        if (table === 'organization_members' || column === 'organization_id') continue;
        // The parent belongs to the same organization (users: are members of it).
        if (parentTable === 'app.users') {
          expect(orgsOfUser.get(str(ref))?.has(row.organization_id), `${where}: ${column} is not a member`).toBe(true);
        } else {
          expect(parent.get(str(ref)), `${where}: ${column} crosses organizations`).toBe(row.organization_id);
        }
      }
      if (row.entity_id !== undefined) {
        const parentTable = ENTITY_TABLES[str(row.entity_type)];
        expect(parentTable, `${where}: unknown entity_type ${String(row.entity_type)}`).toBeDefined();
        expect(ids(parentTable!).get(str(row.entity_id)), `${where}: entity_id`).toBe(row.organization_id);
        checked++;
      }
      if (table === 'organization_members') {
        const orgs = orgsOfUser.get(str(row.user_id)) ?? new Set();
        orgsOfUser.set(str(row.user_id), orgs.add(row.organization_id));
      }
      const own = ids(table);
      seen.set(table, own);
      expect(own.has(str(row.id)), `${where}: duplicate id`).toBe(false);
      own.set(str(row.id), table === 'organizations' ? row.id : row.organization_id);
    }
    expect(checked).toBeGreaterThan(demo.rows.length);
  });
});
