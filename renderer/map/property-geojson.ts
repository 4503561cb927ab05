/**
 * Properties from the replica as the map's GeoJSON: one point per site that has a usable position.
 * Pure, so the rules (which sites make it onto the map, the bounds to fit) are tested without WebGL.
 */
import type { Feature, FeatureCollection, Point } from 'geojson';
import type { PropertySummary } from '../../shared/api/views.js';

/** What a marker carries: the id to select by, and what the cluster and marker styling read. */
export type PropertyMarker = { id: string; name: string; openTasks: number };

export type LngLatBounds = [[number, number], [number, number]];

const usable = (lat: number | null, lng: number | null): boolean =>
  lat !== null &&
  lng !== null &&
  Number.isFinite(lat) &&
  Number.isFinite(lng) &&
  Math.abs(lat) <= 90 &&
  Math.abs(lng) <= 180 &&
  // 0,0 is the classic "no address was geocoded" value, not a site in the Gulf of Guinea.
  !(lat === 0 && lng === 0);

export const hasPosition = (p: Pick<PropertySummary, 'latitude' | 'longitude'>): boolean =>
  usable(p.latitude, p.longitude);

export function propertyFeature(p: PropertySummary): Feature<Point, PropertyMarker> | null {
  if (!usable(p.latitude, p.longitude)) return null;
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [p.longitude!, p.latitude!] },
    properties: { id: p.id, name: p.name, openTasks: p.openTasks },
  };
}

export function propertiesGeoJson(properties: readonly PropertySummary[]): FeatureCollection<Point, PropertyMarker> {
  const features: Feature<Point, PropertyMarker>[] = [];
  for (const p of properties) {
    const f = propertyFeature(p);
    if (f) features.push(f);
  }
  return { type: 'FeatureCollection', features };
}

/** The box around every point, or null when there is none; a lone point gets a small box around it. */
export function boundsOf(collection: FeatureCollection<Point>): LngLatBounds | null {
  if (collection.features.length === 0) return null;
  let [west, south, east, north] = [180, 90, -180, -90];
  for (const f of collection.features) {
    const [lng, lat] = f.geometry.coordinates as [number, number];
    west = Math.min(west, lng);
    east = Math.max(east, lng);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  }
  const pad = 0.01; // ~1 km, so fitting one site does not zoom to the maximum
  if (east - west < pad && north - south < pad)
    return [
      [west - pad, south - pad],
      [east + pad, north + pad],
    ];
  return [
    [west, south],
    [east, north],
  ];
}
