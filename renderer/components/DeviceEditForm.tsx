/** Edits one device's status, where it is and (where asked) its notes, through devices:update. */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Device } from '../../shared/api/views.js';
import { useApi } from '../api/app-context.js';
import { useAction } from '../lib/use-action.js';
import { ErrorAlert } from './Alert.js';
import { DeviceStatusSelect } from './DeviceStatusSelect.js';

type Props = {
  device: Device;
  onDone: () => void;
  /** Show the device's notes too (the task screen leaves them out: its "Notes" are the task's). */
  withNotes?: boolean;
  /** Put the keyboard on the first field when the form opens. */
  autoFocus?: boolean;
};

const orNull = (s: string) => (s.trim() ? s.trim() : null);

export function DeviceEditForm({ device, onDone, withNotes = false, autoFocus = false }: Props) {
  const api = useApi();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (autoFocus) formRef.current?.querySelector<HTMLElement>('select, input')?.focus();
  }, [autoFocus]);
  const [notes, setNotes] = useState(device.notes ?? '');
  const [status, setStatus] = useState(device.status);
  const [location, setLocation] = useState(device.location ?? '');
  const [floor, setFloor] = useState(device.floor ?? '');
  const [zone, setZone] = useState(device.zone ?? '');
  const save = useAction(() => {
    // Only what changed, so an untouched field never overwrites someone else's edit.
    const changes: Partial<Pick<Device, 'status' | 'location' | 'floor' | 'zone' | 'notes'>> = {};
    if (status !== device.status) changes.status = status;
    if (orNull(location) !== device.location) changes.location = orNull(location);
    if (orNull(floor) !== device.floor) changes.floor = orNull(floor);
    if (orNull(zone) !== device.zone) changes.zone = orNull(zone);
    if (withNotes && orNull(notes) !== device.notes) changes.notes = orNull(notes);
    return Object.keys(changes).length > 0
      ? api.invoke('devices:update', { id: device.id, changes })
      : Promise.resolve();
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await save.run()) onDone();
  };

  return (
    <form ref={formRef} className="device-edit" aria-label={`Edit device ${device.serialNumber}`} onSubmit={submit}>
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
        {withNotes && (
          <div className="field field-full">
            <label htmlFor={`${id}-notes`}>Notes</label>
            <textarea
              id={`${id}-notes`}
              rows={3}
              value={notes}
              maxLength={10_000}
              onChange={(e) => setNotes(e.target.value)}
              disabled={save.busy}
            />
          </div>
        )}
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
