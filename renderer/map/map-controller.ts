/**
 * One maplibre map over the properties: made once per container, then told what changed (the
 * sites, the selection, the theme) instead of being rebuilt, so the camera stays where the person
 * left it. Reports marker clicks and, once, that its first frame with markers is drawn.
 */
import type { FeatureCollection, Point } from 'geojson';
import { MaplibreMap, NavigationControl, type GeoJSONSource, type MapLayerMouseEvent } from './maplibre-setup.js';
import {
  buildMapStyle,
  CLUSTER_MAX_ZOOM,
  INTERACTIVE_LAYERS,
  LAYERS,
  MAP_PALETTES,
  SITE_ZOOM,
  SOURCES,
  themePaint,
  type Basemap,
  type MapTheme,
} from './map-style.js';
import { boundsOf, type PropertyMarker } from './property-geojson.js';

type Markers = FeatureCollection<Point, PropertyMarker>;

export type MapCallbacks = {
  onSelect: (id: string) => void;
  /** The first idle with the markers drawn; `markers` is how many sites the map shows. */
  onReady: (markers: number) => void;
  /** The basemap could not be loaded; the map goes on without it. */
  onBasemapError: () => void;
};

export type MapController = {
  setMarkers(markers: Markers, fit: boolean): void;
  select(feature: Markers['features'][number] | null, move: boolean): void;
  setTheme(theme: MapTheme): void;
  remove(): void;
};

const NO_MOTION = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

export function createMapController(
  container: HTMLElement,
  opts: { theme: MapTheme; basemap: Basemap | null },
  cb: MapCallbacks,
): MapController {
  const map = new MaplibreMap({
    container,
    style: buildMapStyle(opts),
    center: [-98.5, 39.8],
    zoom: 3,
    minZoom: 1,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    // Labels (the cluster counts) switch with their circles instead of fading out after them.
    fadeDuration: 0,
    attributionControl: opts.basemap ? { compact: true } : false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');

  let loaded = false;
  let ready = false;
  let pending: { markers: Markers; fit: boolean } | null = null;
  let pendingSelection: Markers['features'][number] | null = null;
  let count = 0;
  let markersSet = false; // the first answer is in (an empty map before it is not "ready")
  let theme = opts.theme;

  const source = (id: string) => map.getSource<GeoJSONSource>(id);

  const applyMarkers = (markers: Markers, fit: boolean) => {
    markersSet = true;
    count = markers.features.length;
    source(SOURCES.properties)?.setData(markers);
    const bounds = fit ? boundsOf(markers) : null;
    if (bounds) map.fitBounds(bounds, { padding: 48, maxZoom: SITE_ZOOM, animate: ready && !NO_MOTION() });
  };

  const applyTheme = () => {
    for (const p of themePaint(MAP_PALETTES[theme]))
      if (map.getLayer(p.layer)) map.setPaintProperty(p.layer, p.property as never, p.value as never);
  };

  map.on('load', () => {
    loaded = true;
    if (theme !== opts.theme) applyTheme();
    if (pending) applyMarkers(pending.markers, pending.fit);
    source(SOURCES.selected)?.setData({
      type: 'FeatureCollection',
      features: pendingSelection ? [pendingSelection] : [],
    });
    pending = null;
  });

  // Ready once a frame has settled with the markers drawn (or with none to draw).
  map.on('idle', () => {
    if (ready || !loaded || pending || !markersSet) return;
    const drawn = count === 0 || map.queryRenderedFeatures({ layers: [LAYERS.clusters, LAYERS.points] }).length > 0;
    if (!drawn) return;
    ready = true;
    cb.onReady(count);
  });

  map.on('click', LAYERS.clusters, (e: MapLayerMouseEvent) => {
    const id: unknown = e.features?.[0]?.properties.cluster_id;
    if (typeof id !== 'number') return;
    void source(SOURCES.properties)
      ?.getClusterExpansionZoom(id)
      .then((zoom) => map.easeTo({ center: e.lngLat, zoom: Math.min(zoom, SITE_ZOOM), animate: !NO_MOTION() }));
  });
  map.on('click', LAYERS.points, (e: MapLayerMouseEvent) => {
    const id: unknown = e.features?.[0]?.properties.id;
    if (typeof id === 'string') cb.onSelect(id);
  });
  for (const layer of INTERACTIVE_LAYERS) {
    map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
  }

  map.on('error', (e) => {
    if ((e as { sourceId?: string }).sourceId === SOURCES.basemap) {
      if (map.getLayer(LAYERS.basemap)) map.setLayoutProperty(LAYERS.basemap, 'visibility', 'none');
      cb.onBasemapError();
      return;
    }
    console.warn('Map:', e.error?.message ?? e);
  });

  return {
    setMarkers(markers, fit) {
      if (loaded) applyMarkers(markers, fit);
      else pending = { markers, fit: fit || pending?.fit === true };
    },
    select(feature, move) {
      pendingSelection = feature;
      if (loaded) source(SOURCES.selected)?.setData({ type: 'FeatureCollection', features: feature ? [feature] : [] });
      if (!feature || !move) return;
      const center = feature.geometry.coordinates as [number, number];
      const zoom = Math.max(map.getZoom(), CLUSTER_MAX_ZOOM + 1);
      // Before the first frame there is nothing to fly from: the map opens there.
      if (!ready || NO_MOTION()) map.jumpTo({ center, zoom });
      else map.flyTo({ center, zoom, speed: 1.6 });
    },
    setTheme(next) {
      theme = next;
      if (loaded) applyTheme();
    },
    remove: () => map.remove(),
  };
}
