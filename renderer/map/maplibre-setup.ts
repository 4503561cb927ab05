/**
 * maplibre-gl as this app loads it. maplibre 6 ships ESM with a separate worker file, which it looks
 * for beside its own module URL; once bundled, that file is not there. So Vite bundles the worker
 * (`?worker&url`: its own file under assets/, same origin, so `worker-src 'self'` admits it with no
 * blob: or data: copy) and maplibre is told where it is, once, before any map is made. The CSS comes
 * through the bundle too (a file, since `style-src 'self'` refuses inline styles).
 */
import { setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import 'maplibre-gl/dist/maplibre-gl.css';

setWorkerUrl(new URL(workerUrl, document.baseURI).href);

export { Map as MaplibreMap, NavigationControl, type GeoJSONSource, type MapLayerMouseEvent } from 'maplibre-gl';
