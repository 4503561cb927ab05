/** The per-screen reads, each with the replica tables whose changes make it stale. */
import { useApiQuery } from './use-api-query.js';

const TASK_LIST_TABLES = ['tasks', 'task_subtasks', 'properties', 'user_profiles'] as const;
const TASK_DETAIL_TABLES = [
  ...TASK_LIST_TABLES,
  'accounts',
  'contacts',
  'devices',
  'device_types',
  'task_devices',
  'task_activities',
  'projects',
] as const;

export const useMyTasks = (includeClosed: boolean) => useApiQuery('tasks:mine', { includeClosed }, TASK_LIST_TABLES);

export const useTaskDetail = (id: string) => useApiQuery('tasks:get', { id }, TASK_DETAIL_TABLES);

export const useDeviceTypes = () => useApiQuery('device-types:list', {}, ['device_types']);

/**
 * The conflict inbox lives in sync-owned tables, not the replica's domain tables, so it also
 * re-reads whenever the overview's conflict or rejection counts move.
 */
export const useInbox = (countsKey: string) => useApiQuery('inbox:list', {}, 'any', { refreshKey: countsKey });
