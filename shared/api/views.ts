/**
 * What screens receive: read models assembled by main from the replica's merged views (synced rows
 * with local edits laid over them). camelCase, ISO timestamps, no secret columns. Every row carries
 * `pending` when it has local edits not yet confirmed by the server.
 */
import { z } from 'zod';
import { ROLES } from '../schema/roles.js';
import { DEVICE_CATEGORIES, DEVICE_STATUSES, TASK_PRIORITIES, TASK_STATUSES } from '../schema/tables.js';
import { SYNC_PHASES } from '../sync/sync-phases.js';

const id = z.guid();
const iso = z.string(); // ISO 8601 text as the replica stores it
const issue = z.object({ code: z.string(), message: z.string() });

export const personRefSchema = z.object({ id, name: z.string() });
export type PersonRef = z.infer<typeof personRefSchema>;

// ── session and settings ────────────────────────────────────────────────────────────────────────

export const THEMES = ['system', 'light', 'dark'] as const;
export const settingsSchema = z.object({
  /** The gateway's base URL; null until the first sign-in (or configured in settings). */
  serverUrl: z.string().nullable(),
  theme: z.enum(THEMES),
});
export type Settings = z.infer<typeof settingsSchema>;

export const membershipSchema = z.object({
  organizationId: id,
  organizationName: z.string(),
  role: z.enum(ROLES),
});
export type Membership = z.infer<typeof membershipSchema>;

export const sessionStateSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('signed-out'),
    serverUrl: z.string().nullable(),
    /** Pre-fills the sign-in form. */
    lastEmail: z.string().nullable(),
    /** Why the last session ended, when it did not end by signing out (expired, refused). */
    reason: issue.nullable(),
  }),
  z.object({
    status: z.literal('signed-in'),
    serverUrl: z.string(),
    user: z.object({ id, email: z.string(), displayName: z.string() }),
    organization: z.object({ id, name: z.string() }),
    role: z.enum(ROLES),
    memberships: z.array(membershipSchema),
  }),
]);
export type SessionState = z.infer<typeof sessionStateSchema>;

export const appInfoSchema = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

// ── sync centre ─────────────────────────────────────────────────────────────────────────────────

export const tableStatusViewSchema = z.object({
  table: z.string(),
  phase: z.enum(SYNC_PHASES),
  rows: z.number(),
  bytes: z.number(),
  /** Rows the server counted when the initial sync began; null when unknown. */
  total: z.number().nullable(),
  lastUpToDateAt: iso.nullable(),
  lastError: issue.nullable(),
});
export type TableStatusView = z.infer<typeof tableStatusViewSchema>;

export const SYNC_STATES = ['signed-out', 'starting', 'initial', 'live', 'offline', 'error'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export const syncOverviewSchema = z.object({
  /**
   * signed-out: no engine. starting: engine booting. initial: some table has not finished its
   * first sync. live: every table up to date. offline: the server cannot be reached (edits queue).
   * error: the engine stopped (see lastError) or a table is failing.
   */
  state: z.enum(SYNC_STATES),
  online: z.boolean(),
  /** Every table live and nothing queued or awaiting confirmation: what tests wait for. */
  idle: z.boolean(),
  tables: z.array(tableStatusViewSchema),
  outbox: z.object({
    queued: z.number(),
    awaitingConfirmation: z.number(),
    /** Open inbox entries waiting for a decision (keep mine / take theirs). */
    conflicts: z.number(),
    rejected: z.number(),
    /** Open inbox entries of kind `overridden` (told, to acknowledge; nothing to decide). */
    overridden: z.number(),
    oldestQueuedAt: iso.nullable(),
    /** The last upload failure while edits are still queued (cleared by a successful upload). */
    lastUploadError: issue.nullable(),
  }),
  lastError: issue.nullable(),
});
export type SyncOverview = z.infer<typeof syncOverviewSchema>;

export const inboxFieldSchema = z.object({
  column: z.string(),
  base: z.unknown(),
  mine: z.unknown(),
  theirs: z.unknown(),
  /**
   * conflict and overridden entries: how the server resolved the column. `manual`: left to the
   * person (what keep mine / take theirs decide); `server` or `merged`: a rule decided (see `rule`).
   */
  resolution: z.string().optional(),
  /** The automatic rule that decided the column (shared/sync/conflict-policy.ts), and why it exists. */
  rule: z.string().optional(),
  why: z.string().optional(),
});
/**
 * conflict: columns changed on both sides wait for a decision (choice mine or theirs); fields lists
 * the `manual` columns, then any a rule overrode in the same edit. rejected: nothing applied (reason;
 * mine or theirs). overridden: applied, but a rule kept the server's value of the listed columns
 * (reason says so, with the rule's why); the person is told and acknowledges (choice acknowledge or
 * theirs; mine is refused: it would undo the rule's decision).
 */
export const INBOX_KINDS = ['conflict', 'rejected', 'overridden'] as const;
export const inboxEntrySchema = z.object({
  mutationId: id,
  kind: z.enum(INBOX_KINDS),
  table: z.string(),
  op: z.enum(['insert', 'update', 'delete']),
  pk: z.record(z.string(), z.unknown()),
  /** What a person recognises the row by ("Task: Replace panel battery"); falls back to the table. */
  label: z.string(),
  fields: z.array(inboxFieldSchema),
  reason: issue.nullable(),
  createdAt: iso,
});
export type InboxEntry = z.infer<typeof inboxEntrySchema>;

// ── work ────────────────────────────────────────────────────────────────────────────────────────

export const propertyRefSchema = z.object({
  id,
  name: z.string(),
  addressLine1: z.string(),
  city: z.string(),
});

export const taskSummarySchema = z.object({
  id,
  title: z.string(),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(TASK_PRIORITIES),
  dueAt: iso.nullable(),
  scheduledStart: iso.nullable(),
  property: propertyRefSchema,
  assignee: personRefSchema.nullable(),
  checklist: z.object({ done: z.number(), total: z.number() }),
  pending: z.boolean(),
});
export type TaskSummary = z.infer<typeof taskSummarySchema>;

export const checklistItemSchema = z.object({
  id,
  title: z.string(),
  position: z.number(),
  isCompleted: z.boolean(),
  completedAt: iso.nullable(),
  completedBy: personRefSchema.nullable(),
  notes: z.string().nullable(),
  pending: z.boolean(),
});
export type ChecklistItem = z.infer<typeof checklistItemSchema>;

export const deviceTypeSchema = z.object({
  id,
  name: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  category: z.enum(DEVICE_CATEGORIES),
});
export type DeviceType = z.infer<typeof deviceTypeSchema>;

export const deviceSchema = z.object({
  id,
  serialNumber: z.string(),
  label: z.string().nullable(),
  status: z.enum(DEVICE_STATUSES),
  location: z.string().nullable(),
  floor: z.string().nullable(),
  zone: z.string().nullable(),
  notes: z.string().nullable(),
  installDate: z.string().nullable(),
  type: deviceTypeSchema,
  property: propertyRefSchema,
  account: z.object({ id, name: z.string() }),
  updatedAt: iso.nullable(),
  pending: z.boolean(),
});
export type Device = z.infer<typeof deviceSchema>;

export const contactSchema = z.object({
  id,
  name: z.string(),
  title: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  mobile: z.string().nullable(),
  isPrimary: z.boolean(),
  isAfterHours: z.boolean(),
  notes: z.string().nullable(),
});
export type Contact = z.infer<typeof contactSchema>;

export const activitySchema = z.object({
  id,
  action: z.string(),
  description: z.string().nullable(),
  user: personRefSchema.nullable(),
  createdAt: iso,
});

export const taskDetailSchema = taskSummarySchema.extend({
  description: z.string().nullable(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  estimatedMinutes: z.number().nullable(),
  completedAt: iso.nullable(),
  completedBy: personRefSchema.nullable(),
  projectName: z.string().nullable(),
  property: propertyRefSchema.extend({
    addressLine2: z.string().nullable(),
    region: z.string(),
    postalCode: z.string(),
    accessNotes: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    account: z.object({ id, name: z.string() }),
  }),
  checklistItems: z.array(checklistItemSchema),
  devices: z.array(z.object({ linkId: id, action: z.string(), device: deviceSchema })),
  contacts: z.array(contactSchema),
  activity: z.array(activitySchema),
  /** Statuses this user may move the task to from its current one (see shared/api/task-status.ts). */
  nextStatuses: z.array(z.enum(TASK_STATUSES)),
});
export type TaskDetail = z.infer<typeof taskDetailSchema>;

export const memberSchema = z.object({ userId: id, name: z.string(), role: z.enum(ROLES) });
export type Member = z.infer<typeof memberSchema>;

// ── properties and inventory (dispatcher) ───────────────────────────────────────────────────────

export const propertySummarySchema = propertyRefSchema.extend({
  region: z.string(),
  postalCode: z.string(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  account: z.object({ id, name: z.string() }),
  openTasks: z.number(),
  devices: z.number(),
});
export type PropertySummary = z.infer<typeof propertySummarySchema>;

export const fileSummarySchema = z.object({
  id,
  name: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number(),
  uploadStatus: z.string(),
  caption: z.string().nullable(),
  createdAt: iso,
});

export const propertyDetailSchema = propertySummarySchema.extend({
  addressLine2: z.string().nullable(),
  countryCode: z.string(),
  siteType: z.string().nullable(),
  accessNotes: z.string().nullable(),
  contacts: z.array(contactSchema),
  devices: z.array(deviceSchema),
  openTaskList: z.array(taskSummarySchema),
  files: z.array(fileSummarySchema),
});
export type PropertyDetail = z.infer<typeof propertyDetailSchema>;
