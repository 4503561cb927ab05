/** The Devices screen's side panel: one device's facts and its edit form (status, where it is, notes). */
import type { Device } from '../../shared/api/views.js';
import { DeviceStatusBadge, UnsyncedBadge } from './Badges.js';
import { DeviceEditForm } from './DeviceEditForm.js';
import { RouteLink } from './RouteLink.js';

export function DeviceEditPanel({ device, onClose }: { device: Device; onClose: () => void }) {
  return (
    <aside className="device-panel panel" aria-labelledby="device-panel-title">
      <div className="panel-header">
        <h2 id="device-panel-title">
          Device <span className="mono">{device.serialNumber}</span>
        </h2>
        <button type="button" className="button-quiet button-small" onClick={onClose} aria-label="Close device panel">
          ✕
        </button>
      </div>
      <dl className="device-panel-facts">
        <dt>Type</dt>
        <dd>
          {device.type.name}{' '}
          <span className="muted">
            · {device.type.manufacturer} {device.type.model}
          </span>
        </dd>
        <dt>Property</dt>
        <dd>
          <RouteLink to={{ screen: 'property', id: device.property.id }}>{device.property.name}</RouteLink>
          <span className="muted"> · {device.account.name}</span>
        </dd>
        <dt>Status</dt>
        <dd>
          <DeviceStatusBadge status={device.status} /> {device.pending && <UnsyncedBadge />}
        </dd>
      </dl>
      {/* Keyed by the device, so a different device starts with its own values. */}
      <DeviceEditForm key={device.id} device={device} withNotes autoFocus onDone={onClose} />
    </aside>
  );
}
