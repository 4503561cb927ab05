/**
 * The Devices screen's filter as the person set it, and the devices:query / devices:export-csv
 * input it stands for. Pure, so the rules (blank means "no filter", a stable key per view, how a
 * header click changes the sort) are tested without a screen.
 */
import type { DEVICE_SORT_COLUMNS, DeviceFilter } from '../../shared/api/contract.js';
import type { Device } from '../../shared/api/views.js';

export type DeviceSortColumn = (typeof DEVICE_SORT_COLUMNS)[number];
export type SortDirection = 'asc' | 'desc';
export type DeviceSort = { column: DeviceSortColumn; direction: SortDirection };

export type DeviceFilterState = {
  /** The serial search as applied (the box's text, after the debounce). */
  serial: string;
  typeIds: readonly string[];
  statuses: readonly Device['status'][];
  propertyId: string | null;
  accountId: string | null;
  sort: DeviceSort;
};

export const DEFAULT_DEVICE_SORT: DeviceSort = { column: 'serialNumber', direction: 'asc' };

export const EMPTY_DEVICE_FILTER: DeviceFilterState = {
  serial: '',
  typeIds: [],
  statuses: [],
  propertyId: null,
  accountId: null,
  sort: DEFAULT_DEVICE_SORT,
};

/** The API's filter: blank and empty parts left out, lists sorted, so equal views make equal queries. */
export function toDeviceQuery(state: DeviceFilterState): DeviceFilter {
  const query: DeviceFilter = { sort: { ...state.sort } };
  const serial = state.serial.trim();
  if (serial) query.serial = serial;
  if (state.typeIds.length) query.typeIds = [...state.typeIds].sort();
  if (state.statuses.length) query.statuses = [...state.statuses].sort();
  if (state.propertyId) query.propertyId = state.propertyId;
  if (state.accountId) query.accountId = state.accountId;
  return query;
}

/**
 * One readable, stable string per view, e.g. `serial=AB12&status=faulty,offline&sort=serialNumber:asc`.
 * The screen publishes it as data-devices-query once it shows that view's results.
 */
export function deviceQueryKey(query: DeviceFilter): string {
  const parts: string[] = [];
  if (query.serial) parts.push(`serial=${encodeURIComponent(query.serial)}`);
  if (query.typeIds?.length) parts.push(`type=${query.typeIds.join(',')}`);
  if (query.statuses?.length) parts.push(`status=${query.statuses.join(',')}`);
  if (query.propertyId) parts.push(`property=${query.propertyId}`);
  if (query.accountId) parts.push(`account=${query.accountId}`);
  const sort = query.sort ?? DEFAULT_DEVICE_SORT;
  parts.push(`sort=${sort.column}:${sort.direction}`);
  return parts.join('&');
}

/** Columns people mostly want newest-first on the first click. */
const DESC_FIRST: readonly DeviceSortColumn[] = ['updatedAt'];

/** A header click: the same column flips its direction; another column starts in its natural one. */
export function nextSort(current: DeviceSort, column: DeviceSortColumn): DeviceSort {
  if (current.column === column) return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { column, direction: DESC_FIRST.includes(column) ? 'desc' : 'asc' };
}

export const ariaSort = (sort: DeviceSort, column: DeviceSortColumn): 'ascending' | 'descending' | 'none' =>
  sort.column !== column ? 'none' : sort.direction === 'asc' ? 'ascending' : 'descending';

/** How many filters (not the search or the sort) narrow the view: the "Clear filters" button's count. */
export const activeFilterCount = (state: DeviceFilterState): number =>
  (state.typeIds.length ? 1 : 0) +
  (state.statuses.length ? 1 : 0) +
  (state.propertyId ? 1 : 0) +
  (state.accountId ? 1 : 0);

/** A value toggled in or out of a multi-select's list, keeping the list's order. */
export const toggleIn = <T>(list: readonly T[], value: T, on: boolean): T[] =>
  on ? (list.includes(value) ? [...list] : [...list, value]) : list.filter((v) => v !== value);
