/** The site's device inventory: a compact table, each row editable in place (devices:update). */
import { useState } from 'react';
import type { Device } from '../../shared/api/views.js';
import { useNav, useViews } from '../api/app-context.js';
import { devicePlace } from '../lib/device-place.js';
import { DeviceStatusBadge, UnsyncedBadge } from './Badges.js';
import { EditableDeviceRow } from './EditableDeviceRow.js';

export function PropertyDevices({ propertyId, devices }: { propertyId: string; devices: Device[] }) {
  const [editing, setEditing] = useState<string | null>(null);
  const navigate = useNav((s) => s.navigate);
  const showDevicesOf = useViews((s) => s.showDevicesOfProperty);
  return (
    <section className="panel" aria-labelledby="site-devices-heading">
      <div className="panel-header">
        <h2 id="site-devices-heading">
          Devices <span className="heading-count">{devices.length || ''}</span>
        </h2>
        {devices.length > 0 && (
          <button
            type="button"
            className="button-quiet button-small"
            onClick={() => {
              showDevicesOf(propertyId);
              navigate({ screen: 'devices' });
            }}
          >
            Open in Devices
          </button>
        )}
      </div>
      {devices.length === 0 ? (
        <p className="muted">No devices recorded at this site.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table compact-table" aria-labelledby="site-devices-heading">
            <thead>
              <tr>
                <th scope="col">Serial</th>
                <th scope="col">Type</th>
                <th scope="col">Location</th>
                <th scope="col">Status</th>
                <th scope="col">Notes</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <EditableDeviceRow
                  key={d.id}
                  device={d}
                  columns={6}
                  open={editing === d.id}
                  onToggle={() => setEditing(editing === d.id ? null : d.id)}
                  onClose={() => setEditing(null)}
                  withNotes
                  autoFocus
                >
                  <td className="mono">{d.serialNumber}</td>
                  <td title={`${d.type.manufacturer} ${d.type.model}`}>
                    {d.type.name}
                    {d.label && <div className="muted small">{d.label}</div>}
                  </td>
                  <td>{devicePlace(d)}</td>
                  <td>
                    <span className="status-cell">
                      <DeviceStatusBadge status={d.status} />
                      {d.pending && <UnsyncedBadge />}
                    </span>
                  </td>
                  <td className="notes-cell" title={d.notes ?? undefined}>
                    {d.notes ?? ''}
                  </td>
                </EditableDeviceRow>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
