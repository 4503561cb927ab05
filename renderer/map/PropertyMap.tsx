/**
 * The properties map: clustered markers beside the list, the selection kept in step with it. The
 * list is the way in for the keyboard; the map is supplementary. It needs no network and no token
 * (see map-style.ts); where WebGL is missing it says so and the list carries on alone.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { PropertySummary } from '../../shared/api/views.js';
import { errorMessage } from '../lib/errors.js';
import { plural } from '../lib/format.js';
import { useResolvedTheme } from '../lib/use-resolved-theme.js';
import { createMapController, type MapController } from './map-controller.js';
import type { Basemap } from './map-style.js';
import { propertiesGeoJson } from './property-geojson.js';
import '../styles/map.css';

type Props = {
  /** The sites to show; `null` until the first answer (the map is not "ready" before it). */
  properties: readonly PropertySummary[] | null;
  /** Changes when the list's search does: the map then fits the sites found. */
  fitKey: string;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** A configured basemap, if any; the map is complete without one. */
  basemap?: Basemap | null;
};

/** Only what the map draws, so a re-read that changed nothing it shows does not re-cluster. */
const markerSignature = (ps: readonly PropertySummary[]) =>
  ps.map((p) => `${p.id}:${p.latitude}:${p.longitude}:${p.openTasks > 0 ? 1 : 0}`).join('|');

const NONE: readonly PropertySummary[] = [];

export function PropertyMap({ properties: answer, fitKey, selectedId, onSelect, basemap = null }: Props) {
  const properties = answer ?? NONE;
  const containerRef = useRef<HTMLDivElement>(null);
  const controller = useRef<MapController | null>(null);
  const theme = useResolvedTheme();
  const [firstDrawn, setFirstDrawn] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [basemapLost, setBasemapLost] = useState(false);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const clicked = useRef<string | null>(null);

  // Keyed on what the map draws, not on the array's identity.
  const signature = markerSignature(properties);
  const geojson = useMemo(() => propertiesGeoJson(properties), [signature]);
  const features = useMemo(() => new Map(geojson.features.map((f) => [f.properties.id, f])), [geojson]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    try {
      controller.current = createMapController(
        container,
        { theme, basemap },
        {
          onSelect: (id) => {
            clicked.current = id;
            onSelectRef.current(id);
          },
          onReady: setFirstDrawn,
          onBasemapError: () => setBasemapLost(true),
        },
      );
    } catch (e) {
      setFailure(errorMessage(e));
    }
    return () => {
      controller.current?.remove();
      controller.current = null;
    };
    // Made once; theme and data changes are passed on below without rebuilding the map.
  }, []);

  // Fit the camera to the sites once per search, when its sites arrive; a re-read keeps the camera.
  // Coming back to the screen with a site selected, the map opens on that site instead.
  const fittedFor = useRef<string | null>(null);
  useEffect(() => {
    const c = controller.current;
    if (!c || answer === null) return;
    const fit = geojson.features.length > 0 && fittedFor.current !== fitKey;
    const returning = fit && fittedFor.current === null && selectedId ? features.get(selectedId) : undefined;
    if (fit) fittedFor.current = fitKey;
    c.setMarkers(geojson, fit && !returning);
    if (returning) c.select(returning, true);
  }, [geojson, fitKey, answer === null]);

  // Fly only when the selection changes, and not to a marker the person just clicked.
  const shownSelection = useRef<string | null>(null);
  useEffect(() => {
    const changed = shownSelection.current !== selectedId;
    shownSelection.current = selectedId;
    const fromMap = clicked.current !== null && clicked.current === selectedId;
    clicked.current = null;
    const feature = selectedId ? (features.get(selectedId) ?? null) : null;
    controller.current?.select(feature, changed && !fromMap);
  }, [selectedId, features]);

  useEffect(() => controller.current?.setTheme(theme), [theme]);

  const unmapped = properties.length - geojson.features.length;
  return (
    <div
      className="property-map-wrap"
      role="region"
      aria-label="Map of properties"
      data-map-ready={firstDrawn !== null ? 'true' : undefined}
      data-map-markers={firstDrawn !== null ? geojson.features.length : undefined}
    >
      {failure ? (
        <p className="map-failure" role="status">
          The map cannot be drawn on this computer ({failure}). The list beside it has every property.
        </p>
      ) : (
        <div ref={containerRef} className="property-map" />
      )}
      <p className="map-legend small">
        <span className="legend-dot legend-dot-open" aria-hidden="true" /> open work
        <span className="legend-dot legend-dot-idle" aria-hidden="true" /> no open work
        <span className="legend-cluster" aria-hidden="true" /> a cluster: its number is how many sites
        {unmapped > 0 && <span className="muted"> · {plural(unmapped, 'site has', 'sites have')} no map position</span>}
        {basemapLost && <span className="muted"> · the basemap is unreachable, so it is left out</span>}
      </p>
    </div>
  );
}
