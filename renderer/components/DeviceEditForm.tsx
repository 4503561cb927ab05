/** Edits one linked device's status and where it is (devices:update). */
import { useId, useState, type FormEvent } from 'react';
import type { Device } from '../../shared/api/views.js';
import { useApi } from '../api/app-context.js';
import { useAction } from '../lib/use-action.js';
import { ErrorAlert } from './Alert.js';
import { DeviceStatusSelect } from './DeviceStatusSelect.js';

type Props = { device: Device; onDone: () => void };

const orNull = (s: string) => (s.trim() ? s.trim() : null);

export function DeviceEditForm({ device, onDone }: Props) {
  const api = useApi();
  const id = useId();
  const [status, setStatus] = useState(device.status);
  const [location, setLocation] = useState(device.location ?? '');
  const [floor, setFloor] = useState(device.floor ?? '');
  const [zone, setZone] = useState(device.zone ?? '');
  const save = useAction(() => {
    // Only what changed, so an untouched field never overwrites someone else's edit.
    const changes: Partial<Pick<Device, 'status' | 'location' | 'floor' | 'zone'>> = {};
    if (status !== device.status) changes.status = status;
    if (orNull(location) !== device.location) changes.location = orNull(location);
    if (orNull(floor) !== device.floor) changes.floor = orNull(floor);
    if (orNull(zone) !== device.zone) changes.zone = orNull(zone);
    return Object.keys(changes).length > 0
      ? api.invoke('devices:update', { id: device.id, changes })
      : Promise.resolve();
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await save.run()) onDone();
  };

  return (
    <form className="device-edit" aria-label={`Edit device ${device.serialNumber}`} onSubmit={submit}>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <DeviceStatusSelect id={`${id}-status`} value={status} onChange={setStatus} disabled={save.busy} />
        </div>
        <div className="field field-wide">
          <label htmlFor={`${id}-location`}>Location</label>
          <input
            id={`${id}-location`}
            value={location}
            onChange={(e) => setLocation(e.target.value)}
            disabled={save.busy}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-floor`}>Floor</label>
          <input id={`${id}-floor`} value={floor} onChange={(e) => setFloor(e.target.value)} disabled={save.busy} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-zone`}>Zone</label>
          <input id={`${id}-zone`} value={zone} onChange={(e) => setZone(e.target.value)} disabled={save.busy} />
        </div>
      </div>
      {save.error && <ErrorAlert>The device was not saved: {save.error}</ErrorAlert>}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save device'}
        </button>
        <button type="button" className="button-quiet" onClick={onDone} disabled={save.busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
