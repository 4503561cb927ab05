/** A labelled select over the device statuses. */
import { DEVICE_STATUSES } from '../../shared/schema/tables.js';
import type { Device } from '../../shared/api/views.js';
import { DEVICE_STATUS_LABEL } from '../lib/labels.js';

type Props = { id: string; value: Device['status']; onChange: (s: Device['status']) => void; disabled?: boolean };

export function DeviceStatusSelect({ id, value, onChange, disabled }: Props) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as Device['status'])} disabled={disabled}>
      {DEVICE_STATUSES.map((s) => (
        <option key={s} value={s}>
          {DEVICE_STATUS_LABEL[s]}
        </option>
      ))}
    </select>
  );
}
