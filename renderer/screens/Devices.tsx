/**
 * Devices: the dispatcher's inventory of every device of the organization, filtered, searched by
 * serial, sorted by any header, exported as CSV, each row editable. Rows come in windows
 * (devices:query) as the table scrolls; a search answer that arrives after a newer search is dropped.
 *
 * Test hooks on the section: data-devices-total (matching devices), data-devices-query (the view
 * whose results are on screen, as deviceQueryKey spells it) and data-devices-loading.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Device } from '../../shared/api/views.js';
import { useViews } from '../api/app-context.js';
import { ErrorAlert } from '../components/Alert.js';
import { DeviceEditPanel } from '../components/DeviceEditPanel.js';
import { DeviceExportButton } from '../components/DeviceExportButton.js';
import { DeviceFilters } from '../components/DeviceFilters.js';
import { DeviceTable } from '../components/DeviceTable.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { deviceQueryKey, EMPTY_DEVICE_FILTER, nextSort, toDeviceQuery } from '../lib/device-filter.js';
import { errorMessage } from '../lib/errors.js';
import { plural } from '../lib/format.js';
import { useDebounced } from '../lib/use-debounced.js';
import { useNow } from '../lib/use-now.js';
import { useApiQuery } from '../stores/use-api-query.js';
import { useDeviceTypes } from '../stores/queries.js';
import { useDeviceWindows } from '../stores/use-device-windows.js';
import '../styles/devices.css';

const SERIAL_DEBOUNCE_MS = 100;

export function Devices() {
  const view = useViews((s) => s.devices);
  const setView = useViews((s) => s.setDevices);
  const types = useDeviceTypes();
  // Names for the property and account filters. Asked for once the first rows are on screen: the
  // whole site list (2,500 sites at --scale 100, with 2,500 <option>s) would otherwise hold them up
  // by ~300 ms. Re-read only when sites or accounts change, not devices.
  const [wantSites, setWantSites] = useState(false);
  const properties = useApiQuery('properties:list', {}, ['properties', 'accounts'], { enabled: wantSites });
  const now = useNow();
  const [editing, setEditing] = useState<Device | null>(null);

  const serial = useDebounced(view.serialText.trim(), SERIAL_DEBOUNCE_MS);
  useEffect(() => {
    if (serial !== view.filter.serial) setView({ filter: { ...view.filter, serial } });
  }, [serial, view.filter, setView]);

  const query = useMemo(() => toDeviceQuery(view.filter), [view.filter]);
  const key = deviceQueryKey(query);
  const { windows, snapshot } = useDeviceWindows(query, key);
  const current = snapshot.key === key;
  const total = current ? snapshot.total : null;
  useEffect(() => {
    if (total !== null) setWantSites(true);
  }, [total]);

  const patchFilter = (patch: Partial<typeof view.filter>) => setView({ filter: { ...view.filter, ...patch } });
  const onEdit = useCallback((device: Device) => setEditing((d) => (d?.id === device.id ? null : device)), []);
  const closeEditor = () => {
    const id = editing?.id;
    setEditing(null);
    // Back to the row's Edit button when it is still on screen.
    if (id) document.querySelector<HTMLElement>(`[data-device-id="${CSS.escape(id)}"] .device-edit-button`)?.focus();
  };

  return (
    <section
      className="screen devices-screen"
      aria-labelledby="devices-title"
      data-devices-total={total ?? undefined}
      data-devices-query={current && total !== null ? key : undefined}
      data-devices-loading={String(!current || !snapshot.settled)}
    >
      <div className="screen-header">
        <ScreenHeading id="devices-title">Devices</ScreenHeading>
        <p className="screen-summary devices-total" aria-live="polite" aria-atomic="true">
          {total === null ? 'Counting…' : plural(total, 'device')}
        </p>
        <div className="screen-tools">
          <DeviceExportButton query={query} total={total} />
        </div>
      </div>
      <DeviceFilters
        serialText={view.serialText}
        onSerialText={(serialText) => setView({ serialText })}
        filter={view.filter}
        onFilter={patchFilter}
        onClear={() => setView({ serialText: '', filter: { ...EMPTY_DEVICE_FILTER, sort: view.filter.sort } })}
        types={types.data}
        properties={properties.data}
      />
      {snapshot.error != null && (
        <ErrorAlert action={{ label: 'Try again', onClick: () => windows.refresh() }}>
          The devices could not be loaded: {errorMessage(snapshot.error)}
        </ErrorAlert>
      )}
      <div className={editing ? 'devices-body devices-body-editing' : 'devices-body'}>
        <DeviceTable
          windows={windows}
          total={total ?? 0}
          queryKey={key}
          sort={view.filter.sort}
          onSort={(column) => patchFilter({ sort: nextSort(view.filter.sort, column) })}
          editingId={editing?.id ?? null}
          onEdit={onEdit}
          now={now}
        />
        {editing && <DeviceEditPanel device={editing} onClose={closeEditor} />}
      </div>
      {total === 0 && (
        <p className="muted" role="status">
          No device matches this view.
        </p>
      )}
    </section>
  );
}
