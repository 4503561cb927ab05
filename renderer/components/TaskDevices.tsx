/** Devices linked to the task: a table with per-device edit, and the "Add device" form. */
import { useState } from 'react';
import type { TaskDetail } from '../../shared/api/views.js';
import { devicePlace } from '../lib/device-place.js';
import { Notice } from './Alert.js';
import { AddDeviceForm } from './AddDeviceForm.js';
import { DeviceStatusBadge, UnsyncedBadge } from './Badges.js';
import { EditableDeviceRow } from './EditableDeviceRow.js';

export function TaskDevices({ task }: { task: TaskDetail }) {
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const links = task.devices;

  return (
    <section className="panel" aria-labelledby="devices-heading">
      <div className="panel-header">
        <h2 id="devices-heading">
          Devices <span className="heading-count">{links.length > 0 ? links.length : ''}</span>
        </h2>
        {!adding && (
          <button type="button" onClick={() => (setAdding(true), setAdded(null))}>
            Add device
          </button>
        )}
      </div>
      {adding && (
        <AddDeviceForm
          taskId={task.id}
          onAdded={(serial) => (setAdding(false), setAdded(serial))}
          onCancel={() => setAdding(false)}
        />
      )}
      {added && <Notice tone="success">Device {added} added to this task.</Notice>}
      {links.length === 0 ? (
        <p className="muted">No devices recorded on this task yet.</p>
      ) : (
        <table className="data-table devices-table" aria-labelledby="devices-heading">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Serial</th>
              <th scope="col">Location</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {links.map(({ linkId, action, device }) => (
              <EditableDeviceRow
                key={linkId}
                device={device}
                columns={5}
                open={editing === device.id}
                onToggle={() => setEditing(editing === device.id ? null : device.id)}
                onClose={() => setEditing(null)}
              >
                <td>
                  <div>{device.label ?? device.type.name}</div>
                  <div className="muted small">
                    {device.type.manufacturer} {device.type.model} · {action}
                  </div>
                </td>
                <td className="mono">{device.serialNumber}</td>
                <td>{devicePlace(device)}</td>
                <td>
                  <DeviceStatusBadge status={device.status} /> {device.pending && <UnsyncedBadge />}
                </td>
              </EditableDeviceRow>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
