/**
 * The demo book of work: two organizations of a Seattle-area installer world, deterministic for a
 * given seed and anchor date (due dates are placed around the anchor so "today" has work in it).
 * Rows are yielded parents-first, so a loader can stream even --scale 100 without holding it in memory.
 * Users come out as `app.users` rows (without password hashes) before the memberships that need them.
 */
import type { Role } from '../../../shared/schema/roles.js';
import * as C from './catalog.js';
import { Random } from './random.js';

export const DEMO_PASSWORD = 'fieldline-demo';

export type Row = Record<string, unknown>;
export type Emitted = readonly [table: string, row: Row];
export type DemoUser = { id: string; email: string; display_name: string; role: Role; org: string };
export type DemoOptions = { seed?: number; scale?: number; anchor?: Date };

type OrgPlan = {
  name: string;
  slug: string;
  /** Properties per scale unit; accounts, devices and tasks follow from it. */
  properties: number;
  users: { email: string; display_name: string; role: Role; job_title: string }[];
};

export const DEMO_ORGS: OrgPlan[] = [
  {
    name: 'Northwind Security',
    slug: 'northwind',
    properties: 25,
    users: [
      { email: 'admin@northwind.test', display_name: 'Nora Whitfield', role: 'admin', job_title: 'Operations Manager' },
      { email: 'dispatch@northwind.test', display_name: 'Diego Ramirez', role: 'dispatcher', job_title: 'Dispatcher' },
      { email: 'tech@northwind.test', display_name: 'Tess Okafor', role: 'technician', job_title: 'Lead Installer' },
      { email: 'tech2@northwind.test', display_name: 'Theo Lindqvist', role: 'technician', job_title: 'Installer' },
    ],
  },
  {
    name: 'Contoso Alarm',
    slug: 'contoso',
    properties: 10,
    users: [
      { email: 'admin@contoso.test', display_name: 'Carla Moss', role: 'admin', job_title: 'Owner-Operator' },
      { email: 'tech@contoso.test', display_name: 'Ken Adeyemi', role: 'technician', job_title: 'Service Technician' },
    ],
  },
];

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const isoDate = (ms: number) => iso(ms).slice(0, 10);
const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

export function* generateDemo(opts: DemoOptions): Generator<Emitted, DemoUser[]> {
  const scale = opts.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a whole number ≥ 1, got ${scale}`);
  const rnd = new Random(opts.seed ?? 20_260_101);
  const anchor = Math.floor((opts.anchor ?? new Date()).getTime() / DAY) * DAY; // midnight UTC
  const users: DemoUser[] = [];

  for (const plan of DEMO_ORGS) {
    const orgId = rnd.uuid();
    const created = iso(anchor - 400 * DAY);
    yield [
      'organizations',
      {
        id: orgId,
        name: plan.name,
        slug: plan.slug,
        timezone: 'America/Los_Angeles',
        settings: { metro: C.METRO.name },
        created_at: created,
      },
    ];
    const members = plan.users.map((u) => ({ ...u, id: rnd.uuid() }));
    for (const m of members) {
      users.push({ id: m.id, email: m.email, display_name: m.display_name, role: m.role, org: plan.slug });
      yield ['app.users', { id: m.id, email: m.email, display_name: m.display_name }];
      yield [
        'organization_members',
        {
          id: rnd.uuid(),
          organization_id: orgId,
          user_id: m.id,
          role: m.role,
          status: 'active',
          joined_at: created,
          created_at: created,
        },
      ];
      yield [
        'user_profiles',
        {
          id: rnd.uuid(),
          organization_id: orgId,
          user_id: m.id,
          display_name: m.display_name,
          email: m.email,
          phone: `+1 206 555 ${String(rnd.int(100, 9999)).padStart(4, '0')}`,
          job_title: m.job_title,
        },
      ];
    }
    const staff = members.filter((m) => m.role !== 'technician');
    const techs = members.filter((m) => m.role === 'technician');
    const dispatcher = staff.find((m) => m.role === 'dispatcher') ?? staff[0]!;

    const types = C.DEVICE_CATALOG.map((d) => ({
      id: rnd.uuid(),
      organization_id: orgId,
      category: d.category,
      manufacturer: d.manufacturer,
      model: d.model,
      name: d.name,
      is_networked: d.networked,
      default_warranty_months: d.warranty,
      prefix: d.prefix,
    }));
    for (const { prefix: _prefix, ...row } of types) yield ['device_types', row];

    let serial = 0;
    let accountNo = 1000;
    const propertyCount = plan.properties * scale;
    let account: { id: string; name: string } | undefined;
    for (let p = 0; p < propertyCount; p++) {
      // A new account every 1–4 properties.
      if (!account || rnd.chance(0.4)) {
        const name = rnd.pick(C.ACCOUNT_NAMES) + rnd.pick(C.ACCOUNT_SUFFIXES);
        account = { id: rnd.uuid(), name };
        yield [
          'accounts',
          {
            id: account.id,
            organization_id: orgId,
            name,
            account_number: `${plan.slug.slice(0, 2).toUpperCase()}-${accountNo++}`,
            account_type: rnd.pick([
              'commercial',
              'commercial',
              'commercial',
              'residential',
              'education',
              'healthcare',
              'industrial',
            ]),
            billing_email: `ap@${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
            phone: `+1 425 555 ${String(rnd.int(1000, 9999))}`,
            monthly_rate_cents: rnd.int(30, 400) * 100,
            created_by: staff[0]!.id,
            created_at: created,
          },
        ];
        yield ['contacts', contact(rnd, orgId, account.id, null, true)];
      }
      const city = rnd.pick(C.CITIES);
      const propertyId = rnd.uuid();
      const siteType = rnd.pick(C.SITE_TYPES);
      yield [
        'properties',
        {
          id: propertyId,
          organization_id: orgId,
          account_id: account.id,
          name: `${account.name} ${rnd.pick(C.SITE_NAMES)}`,
          address_line1: `${rnd.int(100, 24999)} ${rnd.pick(C.STREETS)}`,
          address_line2: rnd.chance(0.3) ? `Suite ${rnd.int(100, 900)}` : null,
          city: city.city,
          region: 'WA',
          postal_code: rnd.pick(city.zip),
          country_code: 'US',
          latitude: +(city.lat + (rnd.next() - 0.5) * 0.08).toFixed(6),
          longitude: +(city.lng + (rnd.next() - 0.5) * 0.1).toFixed(6),
          site_type: siteType,
          access_notes: rnd.pick(C.TASK_NOTES),
          access_codes: `Alarm ${rnd.int(1000, 9999)}#, gate ${rnd.int(100, 999)}`,
          created_by: staff[0]!.id,
          created_at: created,
        },
      ];
      for (let i = rnd.int(1, 2); i > 0; i--) yield ['contacts', contact(rnd, orgId, account.id, propertyId, false)];

      const projectId = rnd.chance(0.5) ? rnd.uuid() : null;
      if (projectId) {
        yield [
          'projects',
          {
            id: projectId,
            organization_id: orgId,
            account_id: account.id,
            property_id: propertyId,
            code: `P-${hex(p + 1, 4)}`,
            name: `${rnd.pick(['Camera upgrade', 'Access control rollout', 'Intrusion refresh', 'New build-out'])}: ${account.name}`,
            status: rnd.pick(['planned', 'active', 'active', 'completed']),
            start_date: isoDate(anchor - rnd.int(10, 120) * DAY),
            due_date: isoDate(anchor + rnd.int(5, 90) * DAY),
            budget_cents: rnd.int(20, 400) * 10_000,
            created_by: dispatcher.id,
          },
        ];
        for (const m of [dispatcher, ...techs]) {
          yield [
            'project_members',
            {
              id: rnd.uuid(),
              organization_id: orgId,
              project_id: projectId,
              user_id: m.id,
              role: m === dispatcher ? 'lead' : 'installer',
            },
          ];
        }
      }

      const devices: string[] = [];
      for (let d = rnd.int(20, 40); d > 0; d--) {
        const t = rnd.pick(types);
        const id = rnd.uuid();
        const n = ++serial;
        const installedDaysAgo = rnd.int(0, 900);
        devices.push(id);
        yield [
          'devices',
          {
            id,
            organization_id: orgId,
            property_id: propertyId,
            device_type_id: t.id,
            serial_number: `${t.prefix}-${plan.slug.slice(0, 2).toUpperCase()}${hex(n, 7)}`,
            label: `${t.category.replace('_', ' ')} ${d}`,
            status: rnd.pick(['active', 'active', 'active', 'installed', 'faulty', 'offline', 'planned']),
            location: rnd.pick(C.DEVICE_LOCATIONS),
            floor: String(rnd.int(1, 4)),
            zone: rnd.pick(C.ZONES),
            mac_address: t.is_networked
              ? `00:40:8c:${hex((n >> 16) & 255, 2)}:${hex((n >> 8) & 255, 2)}:${hex(n & 255, 2)}`.toLowerCase()
              : null,
            ip_address: t.is_networked ? `10.${p % 250}.${Math.floor(d / 250)}.${(d % 250) + 2}` : null,
            firmware_version: t.is_networked ? `${rnd.int(5, 11)}.${rnd.int(0, 9)}.${rnd.int(0, 30)}` : null,
            install_date: isoDate(anchor - installedDaysAgo * DAY),
            installed_by: rnd.pick(techs).id,
            warranty_expires_on: isoDate(anchor + (t.default_warranty_months * 30 - installedDaysAgo) * DAY),
            attributes:
              t.category === 'camera' ? { resolution: rnd.pick(['1080p', '4MP', '5MP', '4K']), poe: true } : {},
            admin_credentials: t.is_networked ? `admin / ${rnd.uuid().slice(0, 12)}` : null,
          },
        ];
      }

      for (let k = rnd.int(2, 5); k > 0; k--) {
        const tpl = rnd.pick(C.TASK_TEMPLATES);
        const taskId = rnd.uuid();
        const dueOffset = rnd.int(-12, 21);
        const status =
          dueOffset < -3
            ? rnd.pick(['done', 'done', 'done', 'in_progress', 'open'])
            : rnd.pick(['open', 'scheduled', 'scheduled', 'in_progress', 'blocked']);
        const assignee = rnd.chance(0.9) ? rnd.pick(techs) : null;
        const done = status === 'done';
        const dueAt = anchor + dueOffset * DAY + rnd.int(8, 16) * 3_600_000;
        yield [
          'tasks',
          {
            id: taskId,
            organization_id: orgId,
            project_id: projectId,
            property_id: propertyId,
            title: tpl.title,
            description: `${tpl.title} at ${account.name}.`,
            status,
            priority: rnd.pick(['low', 'normal', 'normal', 'normal', 'high', 'urgent']),
            assignee_id: assignee?.id ?? null,
            due_at: iso(dueAt),
            scheduled_start: iso(dueAt - 2 * 3_600_000),
            estimated_minutes: rnd.int(2, 16) * 30,
            notes: rnd.chance(0.5) ? rnd.pick(C.TASK_NOTES) : null,
            tags: rnd.chance(0.3) ? [rnd.pick(['warranty', 'billable', 'follow-up', 'after-hours'])] : [],
            completed_at: done ? iso(dueAt) : null,
            completed_by: done ? (assignee?.id ?? null) : null,
            created_by: dispatcher.id,
            created_at: iso(dueAt - 14 * DAY),
          },
        ];
        yield [
          'task_activities',
          {
            id: rnd.uuid(),
            organization_id: orgId,
            task_id: taskId,
            user_id: dispatcher.id,
            action: 'created',
            description: 'Task created',
            created_at: iso(dueAt - 14 * DAY),
          },
        ];
        const steps = tpl.checklist.slice(0, Math.max(3, Math.min(12, tpl.checklist.length)));
        for (const [position, title] of steps.entries()) {
          const subId = rnd.uuid();
          const complete = done || (status === 'in_progress' && position < steps.length / 2);
          yield [
            'task_subtasks',
            {
              id: subId,
              organization_id: orgId,
              task_id: taskId,
              title,
              position,
              is_completed: complete,
              completed_at: complete ? iso(dueAt - (steps.length - position) * 600_000) : null,
              completed_by: complete ? (assignee?.id ?? null) : null,
            },
          ];
          if (assignee && position === 0)
            yield [
              'task_subtask_assignees',
              { id: rnd.uuid(), organization_id: orgId, subtask_id: subId, user_id: assignee.id },
            ];
        }
        const linked = new Set<string>();
        for (let l = rnd.int(1, 3); l > 0; l--) linked.add(rnd.pick(devices));
        for (const deviceId of linked)
          yield [
            'task_devices',
            {
              id: rnd.uuid(),
              organization_id: orgId,
              task_id: taskId,
              device_id: deviceId,
              action: rnd.pick(['install', 'service', 'inspect']),
            },
          ];
        yield [
          'activity_logs',
          {
            id: rnd.uuid(),
            organization_id: orgId,
            user_id: dispatcher.id,
            entity_type: 'task',
            entity_id: taskId,
            action: 'create',
            changes: { title: tpl.title, status },
            created_at: iso(dueAt - 14 * DAY),
          },
        ];
      }

      if (rnd.chance(0.6)) {
        const fileId = rnd.uuid();
        const name = `${account.name.replace(/[^A-Za-z0-9]+/g, '-')}-site-plan.pdf`;
        yield [
          'files',
          {
            id: fileId,
            organization_id: orgId,
            name,
            mime_type: 'application/pdf',
            size_bytes: rnd.int(80_000, 4_000_000),
            checksum_sha256: fakeSha(rnd),
            storage_key: `${orgId}/${fileId}`,
            upload_status: 'uploaded',
            uploaded_by: dispatcher.id,
          },
        ];
        yield [
          'attachments',
          {
            id: rnd.uuid(),
            organization_id: orgId,
            file_id: fileId,
            entity_type: 'property',
            entity_id: propertyId,
            caption: 'Site plan',
            created_by: dispatcher.id,
          },
        ];
      }
    }
  }
  return users;
}

function contact(rnd: Random, orgId: string, accountId: string, propertyId: string | null, primary: boolean): Row {
  const first = rnd.pick(C.FIRST_NAMES);
  const last = rnd.pick(C.LAST_NAMES);
  return {
    id: rnd.uuid(),
    organization_id: orgId,
    account_id: accountId,
    property_id: propertyId,
    first_name: first,
    last_name: last,
    title: rnd.pick(C.CONTACT_TITLES),
    email: `${first}.${last}@example.com`.toLowerCase(),
    phone: `+1 206 555 ${String(rnd.int(1000, 9999))}`,
    mobile: rnd.chance(0.7) ? `+1 425 555 ${String(rnd.int(1000, 9999))}` : null,
    is_primary: primary,
    is_after_hours: !primary && rnd.chance(0.4),
  };
}

const fakeSha = (rnd: Random) => Array.from({ length: 64 }, () => '0123456789abcdef'[rnd.int(0, 15)]).join('');
