/**
 * The app API, typed once: every renderer → main channel with its zod input and output, and every
 * main → renderer event. Main implements a handler object typed over `Channels` (a missing handler
 * fails to compile) and parses each input at the boundary; the preload and the browser-mode bridge
 * refuse anything outside this file. Writes answer as soon as the edit is in the local replica and
 * its outbox; screens learn the rest from `replica:changed` and `sync:status-changed`.
 */
import { z } from 'zod';
import { DEVICE_STATUSES, TASK_PRIORITIES, TASK_STATUSES } from '../schema/tables.js';
import type { ChannelName, EventName } from './names.js';
import {
  appInfoSchema,
  deviceSchema,
  deviceTypeSchema,
  inboxEntrySchema,
  memberSchema,
  propertyDetailSchema,
  propertySummarySchema,
  sessionStateSchema,
  settingsSchema,
  syncOverviewSchema,
  taskDetailSchema,
  taskSummarySchema,
  THEMES,
} from './views.js';

const id = z.guid();
const none = z.object({}).strict();
const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) => text(max).nullable().optional();
const serverUrl = z.url({ protocol: /^https?$/, message: 'The server address must start with http:// or https://.' });

/** A write's answer: the local edit is in place and queued. */
const receipt = z.object({ mutationIds: z.array(id) });
export type WriteReceiptView = z.infer<typeof receipt>;

export const DEVICE_SORT_COLUMNS = ['serialNumber', 'type', 'status', 'property', 'account', 'updatedAt'] as const;

/** The device inventory's filters; also what CSV export takes, so the file equals the view. */
export const deviceFilterSchema = z
  .object({
    /** Serial number prefix or contains, case-insensitive. */
    serial: text(100).optional(),
    typeIds: z.array(id).max(200).optional(),
    statuses: z.array(z.enum(DEVICE_STATUSES)).max(DEVICE_STATUSES.length).optional(),
    propertyId: id.optional(),
    accountId: id.optional(),
    sort: z
      .object({ column: z.enum(DEVICE_SORT_COLUMNS), direction: z.enum(['asc', 'desc']) })
      .default({ column: 'serialNumber', direction: 'asc' }),
  })
  .strict();
export type DeviceFilter = z.input<typeof deviceFilterSchema>;

const channel = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

export const channels = {
  'app:info': channel(none, appInfoSchema),

  'settings:get': channel(none, settingsSchema),
  'settings:update': channel(
    z.object({ serverUrl: serverUrl.optional(), theme: z.enum(THEMES).optional() }).strict(),
    settingsSchema,
  ),

  'session:get': channel(none, sessionStateSchema),
  /** Signs in online; the replica of this user and organization opens and starts syncing. */
  'session:sign-in': channel(
    z.object({ serverUrl, email: text(320).min(3), password: z.string().min(1).max(1024) }).strict(),
    sessionStateSchema,
  ),
  /** Ends the session here and on the server; the replica and its unsynced edits are kept for next time. */
  'session:sign-out': channel(none, sessionStateSchema),

  'sync:status': channel(none, syncOverviewSchema),
  /** Try the network now instead of waiting for the next backoff step. */
  'sync:retry': channel(none, z.null()),

  'inbox:list': channel(none, z.array(inboxEntrySchema)),
  /** mine / theirs: a conflict or a rejection; acknowledge (or theirs): an overridden edit. See inboxEntrySchema. */
  'inbox:resolve': channel(
    z.object({ mutationId: id, choice: z.enum(['mine', 'theirs', 'acknowledge']) }).strict(),
    receipt,
  ),

  /** The signed-in user's tasks (assigned to them), open ones unless `includeClosed`. */
  'tasks:mine': channel(z.object({ includeClosed: z.boolean().default(false) }).strict(), z.array(taskSummarySchema)),
  'tasks:get': channel(z.object({ id }).strict(), taskDetailSchema),
  'tasks:set-status': channel(z.object({ id, status: z.enum(TASK_STATUSES) }).strict(), receipt),
  'tasks:update': channel(
    z
      .object({
        id,
        changes: z
          .object({
            title: text(300).min(1).optional(),
            description: optionalText(10_000),
            notes: optionalText(10_000),
            priority: z.enum(TASK_PRIORITIES).optional(),
            dueAt: z.iso.datetime({ offset: true }).nullable().optional(),
            assigneeId: id.nullable().optional(),
          })
          .strict(),
      })
      .strict(),
    receipt,
  ),
  /** Dispatchers: a task for a site, with its checklist, as one user action. */
  'tasks:create': channel(
    z
      .object({
        propertyId: id,
        title: text(300).min(1),
        description: optionalText(10_000),
        priority: z.enum(TASK_PRIORITIES).default('normal'),
        dueAt: z.iso.datetime({ offset: true }).nullable().optional(),
        assigneeId: id.nullable().optional(),
        checklist: z.array(text(300).min(1)).max(100).default([]),
      })
      .strict(),
    z.object({ taskId: id, mutationIds: z.array(id) }),
  ),
  'checklist:toggle': channel(z.object({ id, completed: z.boolean() }).strict(), receipt),

  'members:list': channel(none, z.array(memberSchema)),
  'device-types:list': channel(none, z.array(deviceTypeSchema)),

  /** An installed device recorded on a task: the device and its task link, as one user action. */
  'devices:add-to-task': channel(
    z
      .object({
        taskId: id,
        deviceTypeId: id,
        serialNumber: text(100).min(1),
        status: z.enum(DEVICE_STATUSES).default('installed'),
        label: optionalText(200),
        location: optionalText(500),
        floor: optionalText(50),
        zone: optionalText(100),
      })
      .strict(),
    z.object({ deviceId: id, mutationIds: z.array(id) }),
  ),
  'devices:update': channel(
    z
      .object({
        id,
        changes: z
          .object({
            status: z.enum(DEVICE_STATUSES).optional(),
            label: optionalText(200),
            location: optionalText(500),
            floor: optionalText(50),
            zone: optionalText(100),
            notes: optionalText(10_000),
          })
          .strict(),
      })
      .strict(),
    receipt,
  ),
  /** One window of the filtered, sorted inventory (the table is virtualized). */
  'devices:query': channel(
    deviceFilterSchema.extend({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    z.object({ total: z.number(), rows: z.array(deviceSchema) }),
  ),
  /**
   * The filtered inventory as CSV. Electron: a save dialog, then `saved` with the path (or the
   * `canceled` error). Browser mode: `download` with the text for the page to hand to the browser.
   */
  'devices:export-csv': channel(
    deviceFilterSchema,
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('saved'), path: z.string(), rows: z.number() }),
      z.object({ kind: z.literal('download'), fileName: z.string(), csv: z.string(), rows: z.number() }),
    ]),
  ),

  'properties:list': channel(z.object({ search: text(200).optional() }).strict(), z.array(propertySummarySchema)),
  'properties:get': channel(z.object({ id }).strict(), propertyDetailSchema),
} as const satisfies Record<ChannelName, { input: z.ZodType; output: z.ZodType }>;

export type Channels = typeof channels;
export type Channel = keyof Channels;
export type ChannelInput<C extends Channel> = z.input<Channels[C]['input']>;
/** The input as the handler receives it, after parsing (defaults filled in). */
export type ParsedInput<C extends Channel> = z.output<Channels[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Channels[C]['output']>;

/** Screens main may ask the renderer to show (menu items, accelerators). */
export const APP_SCREENS = ['my-work', 'properties', 'devices', 'sync', 'settings'] as const;
export type AppScreen = (typeof APP_SCREENS)[number];

export const events = {
  /** A committed batch or a local write touched these tables: screens showing them re-query. */
  'replica:changed': z.object({ tables: z.array(z.string()) }),
  'sync:status-changed': syncOverviewSchema,
  'session:changed': sessionStateSchema,
  'settings:changed': settingsSchema,
  /** Show a screen (the application menu's Go items, Settings…). */
  'app:navigate': z.object({ to: z.enum(APP_SCREENS) }),
} as const satisfies Record<EventName, z.ZodType>;

export type Events = typeof events;
export type { EventName };
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export { isChannel, isEventName } from './names.js';

/** Main's side: one handler per channel, given parsed input. A missing handler fails to compile. */
export type Handlers = { [C in Channel]: (input: ParsedInput<C>) => ChannelOutput<C> | Promise<ChannelOutput<C>> };

/** The calling side (renderer): typed invoke and subscribe. */
export type AppApi = {
  invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};
