/**
 * The properties map's style, built here rather than fetched: a plain background, the replica's
 * sites as a clustered GeoJSON source, and circle layers for markers and clusters. No sprite and no
 * glyphs URL: cluster counts are drawn by maplibre itself from the system's sans-serif (TinySDF,
 * which maplibre 6 uses whenever a style has no glyphs URL), so the map needs no network and no
 * token. A basemap is the one optional network part: layered beneath only when one is configured.
 */
import type { FeatureCollection, Point } from 'geojson';
import type { LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import type { PropertyMarker } from './property-geojson.js';

export const SOURCES = { properties: 'properties', selected: 'selected-property', basemap: 'basemap' } as const;

export const LAYERS = {
  background: 'background',
  basemap: 'basemap',
  clusters: 'property-clusters',
  clusterCounts: 'property-cluster-counts',
  points: 'property-points',
  selected: 'property-selected',
} as const;

/** Layers a click or hover means something on. */
export const INTERACTIVE_LAYERS = [LAYERS.clusters, LAYERS.points, LAYERS.selected];

/** Clusters break up into single markers past this zoom (a city block). */
export const CLUSTER_MAX_ZOOM = 13;
/** How close "fly to a site" comes: past CLUSTER_MAX_ZOOM, so the site is its own marker. */
export const SITE_ZOOM = 15;

/** A raster basemap from settings (XYZ tile URLs). Optional: the map is complete without one. */
export type Basemap = { tiles: string[]; tileSize?: number; maxzoom?: number; attribution?: string };

export type MapTheme = 'light' | 'dark';

/** The app's theme colours (styles/base.css), as the canvas needs them: it cannot read CSS variables. */
export type MapPalette = {
  background: string;
  cluster: string;
  clusterText: string;
  point: string;
  pointOpenWork: string;
  outline: string;
  selected: string;
};

export const MAP_PALETTES: Record<MapTheme, MapPalette> = {
  light: {
    background: '#e9edf2',
    cluster: '#2355c4',
    clusterText: '#ffffff',
    point: '#2355c4',
    pointOpenWork: '#b45309',
    outline: '#ffffff',
    selected: '#1b2330',
  },
  dark: {
    background: '#0d1117',
    cluster: '#6d9cff',
    clusterText: '#0b1220',
    point: '#6d9cff',
    pointOpenWork: '#e6b450',
    outline: '#181e26',
    selected: '#e3e8ef',
  },
};

/** Cluster size grows with its count, in three steps (the count is also written on it). */
const clusterRadius = ['step', ['get', 'point_count'], 14, 10, 18, 50, 23, 200, 28];

type PaintEntry = { layer: string; property: string; value: unknown };

/** The colours that follow the theme, as setPaintProperty calls (a theme switch keeps the map's place). */
export function themePaint(p: MapPalette): PaintEntry[] {
  return [
    { layer: LAYERS.background, property: 'background-color', value: p.background },
    { layer: LAYERS.clusters, property: 'circle-color', value: p.cluster },
    { layer: LAYERS.clusters, property: 'circle-stroke-color', value: p.outline },
    { layer: LAYERS.clusterCounts, property: 'text-color', value: p.clusterText },
    {
      layer: LAYERS.points,
      property: 'circle-color',
      value: ['case', ['>', ['get', 'openTasks'], 0], p.pointOpenWork, p.point],
    },
    { layer: LAYERS.points, property: 'circle-stroke-color', value: p.outline },
    { layer: LAYERS.selected, property: 'circle-stroke-color', value: p.selected },
  ];
}

const EMPTY: FeatureCollection<Point, PropertyMarker> = { type: 'FeatureCollection', features: [] };

function layers(p: MapPalette, withBasemap: boolean): LayerSpecification[] {
  const paint = new Map(themePaint(p).map((e) => [`${e.layer}/${e.property}`, e.value]));
  const get = (layer: string, property: string) => paint.get(`${layer}/${property}`) as never;
  return [
    {
      id: LAYERS.background,
      type: 'background',
      paint: { 'background-color': get(LAYERS.background, 'background-color') },
    },
    ...(withBasemap
      ? [{ id: LAYERS.basemap, type: 'raster', source: SOURCES.basemap, paint: { 'raster-opacity': 0.85 } } as const]
      : []),
    {
      id: LAYERS.clusters,
      type: 'circle',
      source: SOURCES.properties,
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': get(LAYERS.clusters, 'circle-color'),
        'circle-radius': clusterRadius as never,
        'circle-stroke-width': 2,
        'circle-stroke-color': get(LAYERS.clusters, 'circle-stroke-color'),
        'circle-opacity': 0.9,
      },
    },
    {
      id: LAYERS.clusterCounts,
      type: 'symbol',
      source: SOURCES.properties,
      filter: ['has', 'point_count'],
      layout: {
        'text-field': ['get', 'point_count_abbreviated'],
        // Drawn locally (no glyphs URL); the name picks a bold weight of the system's sans-serif.
        'text-font': ['Noto Sans Bold'],
        'text-size': 12,
        'text-allow-overlap': true,
        'text-ignore-placement': true,
      },
      paint: { 'text-color': get(LAYERS.clusterCounts, 'text-color') },
    },
    {
      id: LAYERS.points,
      type: 'circle',
      source: SOURCES.properties,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': get(LAYERS.points, 'circle-color'),
        'circle-radius': 6,
        'circle-stroke-width': 1.5,
        'circle-stroke-color': get(LAYERS.points, 'circle-stroke-color'),
      },
    },
    {
      // Its own unclustered source, so the selected site shows even while its neighbours are a cluster.
      id: LAYERS.selected,
      type: 'circle',
      source: SOURCES.selected,
      paint: {
        'circle-color': 'rgba(0, 0, 0, 0)',
        'circle-radius': 11,
        'circle-stroke-width': 3,
        'circle-stroke-color': get(LAYERS.selected, 'circle-stroke-color'),
      },
    },
  ];
}

export function buildMapStyle({ theme, basemap }: { theme: MapTheme; basemap?: Basemap | null }): StyleSpecification {
  const sources: Record<string, SourceSpecification> = {
    [SOURCES.properties]: {
      type: 'geojson',
      data: EMPTY,
      cluster: true,
      clusterRadius: 44,
      clusterMaxZoom: CLUSTER_MAX_ZOOM,
    },
    [SOURCES.selected]: { type: 'geojson', data: EMPTY },
  };
  if (basemap)
    sources[SOURCES.basemap] = {
      type: 'raster',
      tiles: basemap.tiles,
      tileSize: basemap.tileSize ?? 256,
      maxzoom: basemap.maxzoom ?? 19,
      ...(basemap.attribution ? { attribution: basemap.attribution } : {}),
    };
  return { version: 8, name: 'Fieldline properties', sources, layers: layers(MAP_PALETTES[theme], !!basemap) };
}
