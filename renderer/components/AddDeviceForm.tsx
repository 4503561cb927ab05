/** Records a device installed on this task: the device and its task link, as one edit (devices:add-to-task). */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Device } from '../../shared/api/views.js';
import { useApi } from '../api/app-context.js';
import { errorMessage } from '../lib/errors.js';
import { useAction } from '../lib/use-action.js';
import { useDeviceTypes } from '../stores/queries.js';
import { ErrorAlert } from './Alert.js';
import { DeviceStatusSelect } from './DeviceStatusSelect.js';
import { DeviceTypeSelect } from './DeviceTypeSelect.js';

type Props = { taskId: string; onAdded: (serial: string) => void; onCancel: () => void };

const EMPTY = { typeId: '', serial: '', label: '', location: '', floor: '', zone: '' };
const orNull = (s: string) => (s.trim() ? s.trim() : null);

export function AddDeviceForm({ taskId, onAdded, onCancel }: Props) {
  const api = useApi();
  const id = useId();
  const types = useDeviceTypes();
  const [fields, setFields] = useState(EMPTY);
  const [status, setStatus] = useState<Device['status']>('installed');
  const [problem, setProblem] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => formRef.current?.querySelector<HTMLElement>('select, input')?.focus(), []);
  const set = (key: keyof typeof EMPTY) => (value: string) => setFields((f) => ({ ...f, [key]: value }));
  const add = useAction(() =>
    api.invoke('devices:add-to-task', {
      taskId,
      deviceTypeId: fields.typeId,
      serialNumber: fields.serial.trim(),
      status,
      label: orNull(fields.label),
      location: orNull(fields.location),
      floor: orNull(fields.floor),
      zone: orNull(fields.zone),
    }),
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = !fields.typeId
      ? 'Choose the device type.'
      : !fields.serial.trim()
        ? 'Enter the serial number.'
        : null;
    setProblem(missing);
    if (missing) return;
    if (await add.run()) onAdded(fields.serial.trim());
  };

  const text = (key: keyof typeof EMPTY, label: string, optional = false) => (
    <div className="field">
      {/* "optional" sits beside the label, not in it, so the field's name is just "Floor". */}
      <span className="field-label-row">
        <label htmlFor={`${id}-${key}`}>{label}</label>
        {optional && <span className="optional">optional</span>}
      </span>
      <input id={`${id}-${key}`} value={fields[key]} onChange={(e) => set(key)(e.target.value)} disabled={add.busy} />
    </div>
  );

  return (
    <form ref={formRef} className="add-device" aria-label="Add device" onSubmit={submit} noValidate>
      <div className="form-grid">
        <div className="field field-wide">
          <label htmlFor={`${id}-type`}>Device type</label>
          {types.error != null ? (
            <ErrorAlert>Device types could not be loaded: {errorMessage(types.error)}</ErrorAlert>
          ) : (
            <DeviceTypeSelect
              id={`${id}-type`}
              types={types.data ?? []}
              value={fields.typeId}
              onChange={set('typeId')}
              disabled={add.busy || !types.data}
            />
          )}
        </div>
        {text('serial', 'Serial number')}
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <DeviceStatusSelect id={`${id}-status`} value={status} onChange={setStatus} disabled={add.busy} />
        </div>
        {text('location', 'Location')}
        {text('floor', 'Floor', true)}
        {text('zone', 'Zone', true)}
        {text('label', 'Label', true)}
      </div>
      {(problem ?? add.error) && <ErrorAlert>{problem ?? `The device was not added: ${add.error}`}</ErrorAlert>}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={add.busy}>
          {add.busy ? 'Adding…' : 'Add device'}
        </button>
        <button type="button" className="button-quiet" onClick={onCancel} disabled={add.busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
