/**
 * Devices as screens show them (views.ts deviceSchema), assembled for a list of ids: the device row
 * from devices_view, its type, property and account by id, and whether it has local edits.
 */
import type { Device, DeviceType } from '../../../shared/api/views.js';
import type { Replica } from '../../../sync/client/replica/open-replica.js';
import { byId, IN_LIST, NIL_UUID, pendingIds, rowsForIds, stmt } from './sql.js';

type DeviceRow = {
  id: string;
  serial_number: string;
  label: string | null;
  status: Device['status'];
  location: string | null;
  floor: string | null;
  zone: string | null;
  notes: string | null;
  install_date: string | null;
  updated_at: string | null;
  device_type_id: string;
  property_id: string;
};
type TypeRow = { id: string; name: string; manufacturer: string; model: string; category: DeviceType['category'] };
type PropertyRow = { id: string; name: string; address_line1: string; city: string; account_id: string };

const DEVICE_COLUMNS = `id, serial_number, label, status, location, floor, zone, notes, install_date, updated_at,
  device_type_id, property_id`;

export const toDeviceType = (t: TypeRow): DeviceType => ({
  id: t.id,
  name: t.name,
  manufacturer: t.manufacturer,
  model: t.model,
  category: t.category,
});

/** Live device types, by name. */
export function listDeviceTypes(db: Replica): DeviceType[] {
  const rows = stmt(
    db,
    `SELECT id, name, manufacturer, model, category FROM device_types_view
     WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE, id`,
  ).all() as TypeRow[];
  return rows.map(toDeviceType);
}

/** The devices with these ids, in the order given; ids not in the replica are left out. */
export function devicesByIds(db: Replica, ids: readonly string[]): Device[] {
  if (ids.length === 0) return [];
  const rows = byId(
    rowsForIds<DeviceRow>(db, `SELECT ${DEVICE_COLUMNS} FROM devices_view WHERE id IN ${IN_LIST}`, ids),
  );
  const present = ids.filter((id) => rows.has(id));
  const types = byId(
    rowsForIds<TypeRow>(
      db,
      `SELECT id, name, manufacturer, model, category FROM device_types_view WHERE id IN ${IN_LIST}`,
      [...new Set(present.map((id) => rows.get(id)!.device_type_id))],
    ),
  );
  const properties = byId(
    rowsForIds<PropertyRow>(
      db,
      `SELECT id, name, address_line1, city, account_id FROM properties_view WHERE id IN ${IN_LIST}`,
      [...new Set(present.map((id) => rows.get(id)!.property_id))],
    ),
  );
  const accounts = byId(
    rowsForIds<{ id: string; name: string }>(db, `SELECT id, name FROM accounts_view WHERE id IN ${IN_LIST}`, [
      ...new Set([...properties.values()].map((p) => p.account_id)),
    ]),
  );
  const pending = pendingIds(db, 'devices', present);
  return present.map((id) => {
    const d = rows.get(id)!;
    const type = types.get(d.device_type_id);
    const property = properties.get(d.property_id);
    const account = property ? accounts.get(property.account_id) : undefined;
    return {
      id: d.id,
      serialNumber: d.serial_number,
      label: d.label,
      status: d.status,
      location: d.location,
      floor: d.floor,
      zone: d.zone,
      notes: d.notes,
      installDate: d.install_date,
      type: type
        ? toDeviceType(type)
        : { id: d.device_type_id, name: 'Unknown type', manufacturer: '', model: '', category: 'other' },
      property: {
        id: d.property_id,
        name: property?.name ?? 'Unknown site',
        addressLine1: property?.address_line1 ?? '',
        city: property?.city ?? '',
      },
      account: { id: property?.account_id ?? NIL_UUID, name: account?.name ?? 'Unknown account' },
      updatedAt: d.updated_at,
      pending: pending.has(id),
    };
  });
}
