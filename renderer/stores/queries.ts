/** The per-screen reads, each with the replica tables whose changes make it stale. */
import { useEffect, useState } from 'react';
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

/** The site list also counts open tasks and devices per site, so those tables make it stale too. */
const PROPERTY_LIST_TABLES = ['properties', 'accounts', 'tasks', 'devices'] as const;
const PROPERTY_DETAIL_TABLES = [
  ...PROPERTY_LIST_TABLES,
  'contacts',
  'device_types',
  'task_subtasks',
  'user_profiles',
  'files',
  'attachments',
] as const;

export const useProperties = (search: string) =>
  useApiQuery('properties:list', search ? { search } : {}, PROPERTY_LIST_TABLES);

export const usePropertyDetail = (id: string) => useApiQuery('properties:get', { id }, PROPERTY_DETAIL_TABLES);

export const useMembers = (enabled = true) =>
  useApiQuery('members:list', {}, ['organization_members', 'user_profiles'], { enabled });

/**
 * The conflict inbox lives in sync-owned tables, so it re-reads whenever the overview's conflict
 * or rejection counts move, and when a table its entries show "theirs" from changes.
 */
export function useInbox(countsKey: string) {
  const [tables, setTables] = useState<string[]>([]);
  const query = useApiQuery('inbox:list', {}, tables, { refreshKey: countsKey });
  const entryTables = query.data ? [...new Set(query.data.map((e) => e.table))].sort().join(',') : '';
  useEffect(() => setTables(entryTables ? entryTables.split(',') : []), [entryTables]);
  return query;
}
