/**
 * Properties: a searchable list beside a map of the same sites, the selection shared between them.
 * The search filters both (properties:list with search); the list is the keyboard's way through.
 */
import { lazy, Suspense, useEffect, useId, useState } from 'react';
import type { PropertySummary } from '../../shared/api/views.js';
import { useNav, useSync, useViews } from '../api/app-context.js';
import { ErrorAlert, Notice } from '../components/Alert.js';
import { PropertyCard } from '../components/PropertyCard.js';
import { PropertyList } from '../components/PropertyList.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { errorMessage } from '../lib/errors.js';
import { plural } from '../lib/format.js';
import { useDebounced } from '../lib/use-debounced.js';
import { useProperties } from '../stores/queries.js';
import '../styles/properties.css';

// maplibre is a large module: loaded with this screen's map, not with the app.
const PropertyMap = lazy(() => import('../map/PropertyMap.js').then((m) => ({ default: m.PropertyMap })));

const SEARCH_DEBOUNCE_MS = 150;

type Shown = { search: string; list: PropertySummary[] };

export function Properties() {
  const searchId = useId();
  const search = useViews((s) => s.properties.search);
  const selectedId = useViews((s) => s.properties.selectedId);
  const setView = useViews((s) => s.setProperties);
  const navigate = useNav((s) => s.navigate);
  const firstSync = useSync((s) => s.overview?.state === 'initial' || s.overview?.state === 'starting');
  const applied = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);
  const query = useProperties(applied);

  // The last answer stays on screen while the next search runs, so list and map never blank between keys.
  const [shown, setShown] = useState<Shown | null>(null);
  useEffect(() => {
    if (query.data) setShown({ search: applied, list: query.data });
  }, [query.data, applied]);

  const list = shown?.list ?? [];
  const selected = list.find((p) => p.id === selectedId) ?? null;
  const select = (id: string) => setView({ selectedId: id });
  const open = (id: string) => {
    setView({ selectedId: id });
    navigate({ screen: 'property', id });
  };

  return (
    <section
      className="screen properties-screen"
      aria-labelledby="properties-title"
      data-properties-search={shown?.search}
      data-properties-count={shown?.list.length}
    >
      <div className="screen-header">
        <ScreenHeading id="properties-title">Properties</ScreenHeading>
        <p className="screen-summary" aria-live="polite">
          {shown
            ? `${plural(list.length, 'property', 'properties')}${shown.search ? ` matching “${shown.search}”` : ''}`
            : '\u00a0'}
        </p>
      </div>
      {query.error != null && (
        <ErrorAlert action={{ label: 'Try again', onClick: query.reload }}>
          The properties could not be loaded: {errorMessage(query.error)}
        </ErrorAlert>
      )}
      <div className="properties-layout">
        <div className="properties-side">
          <div className="field">
            <label htmlFor={searchId}>Search properties</label>
            <input
              id={searchId}
              type="search"
              value={search}
              placeholder="Name, address, city, postal code or account"
              onChange={(e) => setView({ search: e.target.value })}
              autoComplete="off"
            />
          </div>
          {!shown && query.loading && <p role="status">Loading properties…</p>}
          {shown && list.length === 0 && (
            <Notice>
              {shown.search
                ? `No property matches “${shown.search}”.`
                : firstSync
                  ? 'Properties are still downloading; the Sync centre shows how far it has got.'
                  : 'There are no properties on this computer.'}
            </Notice>
          )}
          {list.length > 0 && (
            <PropertyList properties={list} selectedId={selectedId} onSelect={select} onOpen={open} />
          )}
          {selected && <PropertyCard property={selected} />}
        </div>
        <Suspense fallback={<p role="status">Loading the map…</p>}>
          <PropertyMap
            properties={shown?.list ?? null}
            fitKey={shown?.search ?? ''}
            selectedId={selectedId}
            onSelect={select}
          />
        </Suspense>
      </div>
    </section>
  );
}
