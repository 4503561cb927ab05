/**
 * The names of the app API's channels and events, without their schemas: what the preload needs to
 * refuse anything outside the contract, at a few hundred bytes instead of zod and every view.
 * contract.ts must define exactly these (it fails to compile otherwise).
 */
export const CHANNEL_NAMES = [
  'app:info',
  'settings:get',
  'settings:update',
  'session:get',
  'session:sign-in',
  'session:sign-out',
  'sync:status',
  'sync:retry',
  'inbox:list',
  'inbox:resolve',
  'tasks:mine',
  'tasks:get',
  'tasks:set-status',
  'tasks:update',
  'tasks:create',
  'checklist:toggle',
  'members:list',
  'device-types:list',
  'devices:add-to-task',
  'devices:update',
  'devices:query',
  'devices:export-csv',
  'properties:list',
  'properties:get',
] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export const EVENT_NAMES = [
  'replica:changed',
  'sync:status-changed',
  'session:changed',
  'settings:changed',
  'app:navigate',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

const channelSet: ReadonlySet<string> = new Set(CHANNEL_NAMES);
const eventSet: ReadonlySet<string> = new Set(EVENT_NAMES);

export const isChannel = (name: unknown): name is ChannelName => typeof name === 'string' && channelSet.has(name);
export const isEventName = (name: unknown): name is EventName => typeof name === 'string' && eventSet.has(name);
