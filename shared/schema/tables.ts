/**
 * The synced tables: one definition each. The Postgres migrations, the SQLite replica schema,
 * the drizzle schemas and the access rules are derived from or checked against this file.
 */
import { col } from './columns.js';
import { ADMINS, EVERYONE, MANAGERS, NOBODY, ROLES, access } from './roles.js';
import { defineTable, softDeleteColumn, syncColumns, tenantKey, type TableDef } from './table.js';

export const TASK_STATUSES = ['open', 'scheduled', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const DEVICE_STATUSES = ['planned', 'installed', 'active', 'faulty', 'offline', 'removed'] as const;
export const DEVICE_CATEGORIES = [
  'camera',
  'nvr',
  'access_reader',
  'door_contact',
  'motion_sensor',
  'glass_break',
  'panel',
  'keypad',
  'siren',
  'other',
] as const;
export const PROJECT_STATUSES = ['planned', 'active', 'on_hold', 'completed', 'cancelled'] as const;
export const ACCOUNT_TYPES = [
  'commercial',
  'residential',
  'government',
  'education',
  'healthcare',
  'industrial',
] as const;
export const MEMBER_STATUSES = ['active', 'suspended'] as const;
export const ATTACHABLE_ENTITIES = ['account', 'property', 'project', 'task', 'task_subtask', 'device'] as const;

export const organizations = defineTable(
  'organizations',
  {
    id: col.uuid().pk(),
    name: col.text(),
    slug: col.text(),
    timezone: col.text().defaulted(),
    settings: col.jsonb().defaulted(),
    ...syncColumns(),
  },
  { scope: 'id', access: access(NOBODY, ADMINS, NOBODY) },
);

export const user_profiles = defineTable(
  'user_profiles',
  {
    ...tenantKey(),
    user_id: col.uuid(),
    display_name: col.text(),
    email: col.text(),
    phone: col.text().optional(),
    job_title: col.text().optional(),
    avatar_url: col.text().optional(),
    ...syncColumns(),
  },
  { access: access(ADMINS, ADMINS, ADMINS) },
);

export const organization_members = defineTable(
  'organization_members',
  {
    ...tenantKey(),
    user_id: col.uuid(),
    role: col.oneOf(ROLES),
    status: col.oneOf(MEMBER_STATUSES).defaulted(),
    invited_by: col.uuid().optional(),
    joined_at: col.timestamptz().defaulted(),
    ...syncColumns(),
  },
  { access: access(ADMINS, ADMINS, ADMINS) },
);

export const accounts = defineTable(
  'accounts',
  {
    ...tenantKey(),
    name: col.text(),
    account_number: col.text().optional(),
    account_type: col.oneOf(ACCOUNT_TYPES).defaulted(),
    billing_email: col.text().optional(),
    phone: col.text().optional(),
    billing_address: col.text().optional(),
    monthly_rate_cents: col.integer().optional(),
    notes: col.text().optional(),
    created_by: col.uuid().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(MANAGERS, MANAGERS, MANAGERS) },
);

export const properties = defineTable(
  'properties',
  {
    ...tenantKey(),
    account_id: col.uuid(),
    name: col.text(),
    address_line1: col.text(),
    address_line2: col.text().optional(),
    city: col.text(),
    region: col.text(),
    postal_code: col.text(),
    country_code: col.text().defaulted(),
    latitude: col.double().optional(),
    longitude: col.double().optional(),
    site_type: col.text().optional(),
    access_notes: col.text().optional(),
    /** Alarm/gate codes: operators read them on the server; they are never synced to laptops. */
    access_codes: col.text().optional().secretColumn(),
    created_by: col.uuid().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(MANAGERS, MANAGERS, MANAGERS) },
);

export const contacts = defineTable(
  'contacts',
  {
    ...tenantKey(),
    account_id: col.uuid(),
    property_id: col.uuid().optional(),
    first_name: col.text(),
    last_name: col.text(),
    title: col.text().optional(),
    email: col.text().optional(),
    phone: col.text().optional(),
    mobile: col.text().optional(),
    is_primary: col.boolean().defaulted(),
    is_after_hours: col.boolean().defaulted(),
    notes: col.text().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(MANAGERS, MANAGERS, MANAGERS) },
);

export const projects = defineTable(
  'projects',
  {
    ...tenantKey(),
    account_id: col.uuid(),
    property_id: col.uuid().optional(),
    code: col.text().optional(),
    name: col.text(),
    description: col.text().optional(),
    status: col.oneOf(PROJECT_STATUSES).defaulted(),
    start_date: col.date().optional(),
    due_date: col.date().optional(),
    budget_cents: col.bigint().optional(),
    created_by: col.uuid().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(MANAGERS, MANAGERS, MANAGERS) },
);

export const project_members = defineTable(
  'project_members',
  {
    ...tenantKey(),
    project_id: col.uuid(),
    user_id: col.uuid(),
    role: col.oneOf(['lead', 'installer', 'observer']).defaulted(),
    ...syncColumns(),
  },
  { access: access(MANAGERS, MANAGERS, MANAGERS) },
);

export const tasks = defineTable(
  'tasks',
  {
    ...tenantKey(),
    project_id: col.uuid().optional(),
    property_id: col.uuid(),
    title: col.text(),
    description: col.text().optional(),
    status: col.oneOf(TASK_STATUSES).defaulted(),
    priority: col.oneOf(TASK_PRIORITIES).defaulted(),
    assignee_id: col.uuid().optional(),
    due_at: col.timestamptz().optional(),
    scheduled_start: col.timestamptz().optional(),
    estimated_minutes: col.integer().optional(),
    notes: col.text().optional(),
    tags: col.textArray().defaulted(),
    completed_at: col.timestamptz().optional(),
    completed_by: col.uuid().optional(),
    created_by: col.uuid().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(MANAGERS, EVERYONE, MANAGERS) },
);

export const task_subtasks = defineTable(
  'task_subtasks',
  {
    ...tenantKey(),
    task_id: col.uuid(),
    title: col.text(),
    position: col.integer().defaulted(),
    is_completed: col.boolean().defaulted(),
    completed_at: col.timestamptz().optional(),
    completed_by: col.uuid().optional(),
    notes: col.text().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(MANAGERS, EVERYONE, MANAGERS) },
);

export const task_subtask_assignees = defineTable(
  'task_subtask_assignees',
  {
    ...tenantKey(),
    subtask_id: col.uuid(),
    user_id: col.uuid(),
    ...syncColumns(),
  },
  { access: access(MANAGERS, MANAGERS, MANAGERS) },
);

export const task_activities = defineTable(
  'task_activities',
  {
    ...tenantKey(),
    task_id: col.uuid(),
    user_id: col.uuid().optional(),
    action: col.oneOf(['created', 'status_changed', 'assigned', 'comment', 'checklist', 'device', 'file']),
    description: col.text().optional(),
    metadata: col.jsonb().defaulted(),
    ...syncColumns(),
  },
  // Append-only history.
  { access: access(EVERYONE, NOBODY, NOBODY) },
);

export const device_types = defineTable(
  'device_types',
  {
    ...tenantKey(),
    category: col.oneOf(DEVICE_CATEGORIES),
    manufacturer: col.text(),
    model: col.text(),
    name: col.text(),
    is_networked: col.boolean().defaulted(),
    default_warranty_months: col.integer().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(MANAGERS, MANAGERS, MANAGERS) },
);

export const devices = defineTable(
  'devices',
  {
    ...tenantKey(),
    property_id: col.uuid(),
    device_type_id: col.uuid(),
    serial_number: col.text(),
    label: col.text().optional(),
    status: col.oneOf(DEVICE_STATUSES).defaulted(),
    location: col.text().optional(),
    floor: col.text().optional(),
    zone: col.text().optional(),
    mac_address: col.macaddr().optional(),
    ip_address: col.inet().optional(),
    firmware_version: col.text().optional(),
    install_date: col.date().optional(),
    installed_by: col.uuid().optional(),
    warranty_expires_on: col.date().optional(),
    notes: col.text().optional(),
    attributes: col.jsonb().defaulted(),
    /** Device admin credentials; server-side only. */
    admin_credentials: col.text().optional().secretColumn(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(EVERYONE, EVERYONE, MANAGERS) },
);

export const task_devices = defineTable(
  'task_devices',
  {
    ...tenantKey(),
    task_id: col.uuid(),
    device_id: col.uuid(),
    action: col.oneOf(['install', 'service', 'inspect', 'replace', 'remove']).defaulted(),
    ...syncColumns(),
  },
  { access: access(EVERYONE, EVERYONE, MANAGERS) },
);

export const files = defineTable(
  'files',
  {
    ...tenantKey(),
    name: col.text(),
    mime_type: col.text(),
    size_bytes: col.bigint(),
    checksum_sha256: col.text(),
    storage_key: col.text(),
    upload_status: col.oneOf(['pending', 'uploaded', 'failed']).defaulted(),
    uploaded_by: col.uuid().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(EVERYONE, MANAGERS, MANAGERS) },
);

export const attachments = defineTable(
  'attachments',
  {
    ...tenantKey(),
    file_id: col.uuid(),
    entity_type: col.oneOf(ATTACHABLE_ENTITIES),
    entity_id: col.uuid(),
    caption: col.text().optional(),
    created_by: col.uuid().optional(),
    ...syncColumns(),
    ...softDeleteColumn(),
  },
  { access: access(EVERYONE, MANAGERS, MANAGERS) },
);

export const activity_logs = defineTable(
  'activity_logs',
  {
    ...tenantKey(),
    user_id: col.uuid().optional(),
    entity_type: col.text(),
    entity_id: col.uuid(),
    action: col.text(),
    changes: col.jsonb().defaulted(),
    ...syncColumns(),
  },
  { access: access(EVERYONE, NOBODY, NOBODY) },
);

/** Every synced table, parents before children (the order inserts and snapshots use). */
export const SYNCED_TABLES: readonly TableDef[] = [
  organizations,
  user_profiles,
  organization_members,
  accounts,
  properties,
  contacts,
  projects,
  project_members,
  device_types,
  devices,
  tasks,
  task_subtasks,
  task_subtask_assignees,
  task_activities,
  task_devices,
  files,
  attachments,
  activity_logs,
];

export const tableByName = (name: string): TableDef | undefined => SYNCED_TABLES.find((t) => t.name === name);
