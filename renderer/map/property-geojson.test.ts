import { describe, expect, it } from 'vitest';
import type { PropertySummary } from '../../shared/api/views.js';
import { boundsOf, hasPosition, propertiesGeoJson } from './property-geojson.js';

let n = 0;
const site = (latitude: number | null, longitude: number | null, over: Partial<PropertySummary> = {}) =>
  ({
    id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    name: `Site ${n}`,
    addressLine1: '1 Main St',
    city: 'Seattle',
    region: 'WA',
    postalCode: '98101',
    latitude,
    longitude,
    account: { id: '00000000-0000-4000-8000-000000000000', name: 'Acme' },
    openTasks: 2,
    devices: 5,
    ...over,
  }) satisfies PropertySummary;

describe('propertiesGeoJson', () => {
  it('makes one point per site, longitude first, carrying what markers need', () => {
    const a = site(47.6, -122.3, { name: 'Pier 9', openTasks: 3 });
    const fc = propertiesGeoJson([a]);
    expect(fc.features).toEqual([
      {
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [-122.3, 47.6] },
        properties: { id: a.id, name: 'Pier 9', openTasks: 3 },
      },
    ]);
  });

  it('leaves off sites without a usable position', () => {
    const sites = [site(null, -122), site(47, null), site(0, 0), site(91, 10), site(10, -181), site(Number.NaN, 1)];
    expect(propertiesGeoJson(sites).features).toEqual([]);
    expect(sites.filter(hasPosition)).toEqual([]);
    expect(hasPosition(site(-33.9, 151.2))).toBe(true);
  });
});

describe('boundsOf', () => {
  it('boxes every point, and gives a lone point room to breathe', () => {
    expect(boundsOf(propertiesGeoJson([]))).toBeNull();
    expect(boundsOf(propertiesGeoJson([site(47.6, -122.3), site(45.5, -122.7), site(47.2, -121.9)]))).toEqual([
      [-122.7, 45.5],
      [-121.9, 47.6],
    ]);
    const lone = boundsOf(propertiesGeoJson([site(47.6, -122.3)]))!;
    expect(lone[0][0]).toBeCloseTo(-122.31);
    expect(lone[1][1]).toBeCloseTo(47.61);
  });
});
