import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  ariaSort,
  deviceQueryKey,
  EMPTY_DEVICE_FILTER,
  nextSort,
  toDeviceQuery,
  toggleIn,
} from './device-filter.js';

const TYPE_A = '00000000-0000-4000-8000-00000000000a';
const TYPE_B = '00000000-0000-4000-8000-00000000000b';
const SITE = '00000000-0000-4000-8000-000000000001';

describe('toDeviceQuery', () => {
  it('leaves blank and empty parts out, so an untouched filter asks for everything', () => {
    expect(toDeviceQuery(EMPTY_DEVICE_FILTER)).toEqual({ sort: { column: 'serialNumber', direction: 'asc' } });
    expect(toDeviceQuery({ ...EMPTY_DEVICE_FILTER, serial: '   ' })).not.toHaveProperty('serial');
  });

  it('trims the serial and sorts lists, so equal views give equal queries', () => {
    const a = toDeviceQuery({
      ...EMPTY_DEVICE_FILTER,
      serial: ' ab12 ',
      typeIds: [TYPE_B, TYPE_A],
      statuses: ['offline', 'faulty'],
      propertyId: SITE,
    });
    const b = toDeviceQuery({
      ...EMPTY_DEVICE_FILTER,
      serial: 'ab12',
      typeIds: [TYPE_A, TYPE_B],
      statuses: ['faulty', 'offline'],
      propertyId: SITE,
    });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ serial: 'ab12', typeIds: [TYPE_A, TYPE_B], statuses: ['faulty', 'offline'] });
  });
});

describe('deviceQueryKey', () => {
  it('reads as the view it names, sort last', () => {
    expect(deviceQueryKey(toDeviceQuery(EMPTY_DEVICE_FILTER))).toBe('sort=serialNumber:asc');
    expect(
      deviceQueryKey(
        toDeviceQuery({
          ...EMPTY_DEVICE_FILTER,
          serial: 'CAM 7',
          statuses: ['faulty'],
          accountId: SITE,
          sort: { column: 'type', direction: 'desc' },
        }),
      ),
    ).toBe(`serial=CAM%207&status=faulty&account=${SITE}&sort=type:desc`);
  });
});

describe('sorting by header', () => {
  it('flips the same column and starts a new one in its natural direction', () => {
    const bySerial = { column: 'serialNumber', direction: 'asc' } as const;
    expect(nextSort(bySerial, 'serialNumber')).toEqual({ column: 'serialNumber', direction: 'desc' });
    expect(nextSort({ column: 'serialNumber', direction: 'desc' }, 'serialNumber').direction).toBe('asc');
    expect(nextSort(bySerial, 'status')).toEqual({ column: 'status', direction: 'asc' });
    expect(nextSort(bySerial, 'updatedAt')).toEqual({ column: 'updatedAt', direction: 'desc' });
  });

  it('tells assistive technology which column sorts, and how', () => {
    const sort = { column: 'status', direction: 'desc' } as const;
    expect(ariaSort(sort, 'status')).toBe('descending');
    expect(ariaSort({ ...sort, direction: 'asc' }, 'status')).toBe('ascending');
    expect(ariaSort(sort, 'serialNumber')).toBe('none');
  });
});

describe('filter helpers', () => {
  it('counts the filters that narrow the view, not the search', () => {
    expect(activeFilterCount({ ...EMPTY_DEVICE_FILTER, serial: 'x' })).toBe(0);
    expect(activeFilterCount({ ...EMPTY_DEVICE_FILTER, typeIds: [TYPE_A], propertyId: SITE })).toBe(2);
  });

  it('toggles a value in a multi-select list without duplicates', () => {
    expect(toggleIn(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(toggleIn(['a', 'b'], 'b', true)).toEqual(['a', 'b']);
    expect(toggleIn(['a', 'b'], 'a', false)).toEqual(['b']);
  });
});
