/**
 * A device's row in a small table with an Edit toggle, and the edit form in a full-width row below
 * it while open. The task's and the property's device lists share it; each supplies its own cells.
 */
import type { ReactNode } from 'react';
import type { Device } from '../../shared/api/views.js';
import { DeviceEditForm } from './DeviceEditForm.js';

type Props = {
  device: Device;
  /** The row's cells before the Edit button. */
  children: ReactNode;
  /** How many columns the table has (the form's row spans them all). */
  columns: number;
  open: boolean;
  onToggle: () => void;
  onClose: () => void;
  withNotes?: boolean;
  autoFocus?: boolean;
};

export function EditableDeviceRow(props: Props) {
  const { device, children, columns, open, onToggle, onClose, withNotes, autoFocus } = props;
  return (
    <>
      <tr>
        {children}
        <td className="cell-actions">
          <button
            type="button"
            className="button-small"
            aria-expanded={open}
            aria-label={`Edit ${device.serialNumber}`}
            onClick={onToggle}
          >
            Edit
          </button>
        </td>
      </tr>
      {open && (
        <tr className="row-editor">
          <td colSpan={columns}>
            <DeviceEditForm device={device} withNotes={withNotes} autoFocus={autoFocus} onDone={onClose} />
          </td>
        </tr>
      )}
    </>
  );
}
