/** device-types:list and devices:* (the inventory, its CSV export, and devices recorded on a task). */
import type { Handlers, ParsedInput } from '../../../shared/api/contract.js';
import { ApiError } from '../../../shared/api/result.js';
import type { Device } from '../../../shared/api/views.js';
import { assertMayWrite } from '../access.js';
import { toCsv } from '../csv.js';
import { allDeviceIds, deviceWindow } from '../queries/device-search.js';
import { devicesByIds, listDeviceTypes } from '../queries/devices.js';
import { nowIso, stmt } from '../queries/sql.js';
import { taskForWrite } from '../queries/tasks.js';
import type { Workspace } from '../workspace.js';
import { mutationIds, writeAction, type HandlerContext } from './context.js';

/** A live device with this serial (any case), as the server's unique index sees it, and its site. */
function existingSerial(ws: Workspace, serial: string): { serial: string; site: string | undefined } | undefined {
  const device = stmt(
    ws.db,
    `SELECT serial_number, property_id FROM devices_view WHERE deleted_at IS NULL AND serial_number = ? COLLATE NOCASE LIMIT 1`,
  ).get(serial) as { serial_number: string; property_id: string } | undefined;
  if (!device) return undefined;
  const site = stmt(ws.db, `SELECT name FROM properties_view WHERE id = ?`).pluck().get(device.property_id) as
    string | undefined;
  return { serial: device.serial_number, site };
}

const CSV_HEADER = [
  'Serial number',
  'Type',
  'Manufacturer',
  'Model',
  'Status',
  'Label',
  'Location',
  'Floor',
  'Zone',
  'Site',
  'Address',
  'City',
  'Account',
  'Install date',
  'Notes',
  'Updated at',
];

const csvCells = (d: Device): unknown[] => [
  d.serialNumber,
  d.type.name,
  d.type.manufacturer,
  d.type.model,
  d.status,
  d.label,
  d.location,
  d.floor,
  d.zone,
  d.property.name,
  d.property.addressLine1,
  d.property.city,
  d.account.name,
  d.installDate,
  d.notes,
  d.updatedAt,
];

type AddInput = ParsedInput<'devices:add-to-task'>;

export function deviceHandlers(
  ctx: HandlerContext,
): Pick<
  Handlers,
  'device-types:list' | 'devices:add-to-task' | 'devices:update' | 'devices:query' | 'devices:export-csv'
> {
  const ws = () => ctx.session.requireWorkspace();
  return {
    'device-types:list': () => listDeviceTypes(ws().db),

    'devices:add-to-task': (input: AddInput) => {
      const w = ws();
      const task = taskForWrite(w.db, input.taskId);
      if (!task) throw new ApiError('not_found', 'This task is not on this computer: it may have been deleted.');
      assertMayWrite(w.me.role, 'devices', 'insert');
      assertMayWrite(w.me.role, 'task_devices', 'insert');
      const type = w.db
        .prepare(`SELECT name FROM device_types_view WHERE id = ? AND deleted_at IS NULL`)
        .pluck()
        .get(input.deviceTypeId) as string | undefined;
      if (!type) throw new ApiError('invalid', 'That device type is not available any more. Pick another.');
      const taken = existingSerial(w, input.serialNumber);
      if (taken)
        throw new ApiError(
          'invalid',
          `Serial number ${taken.serial} is already recorded${taken.site ? ` at ${taken.site}` : ''}. ` +
            'Check the number on the device, or edit the existing record.',
        );
      const installed = input.status === 'installed' || input.status === 'active';
      return writeAction(ctx, ['devices', 'task_devices', 'task_activities'], () => {
        const now = nowIso();
        const device = w.writes.insert('devices', {
          organization_id: w.me.organizationId,
          property_id: task.property_id,
          device_type_id: input.deviceTypeId,
          serial_number: input.serialNumber,
          status: input.status,
          label: input.label ?? null,
          location: input.location ?? null,
          floor: input.floor ?? null,
          zone: input.zone ?? null,
          installed_by: installed ? w.me.userId : null,
          install_date: installed ? now.slice(0, 10) : null,
          created_at: now,
        });
        const deviceId = device.pk.id as string;
        const link = w.writes.insert('task_devices', {
          organization_id: w.me.organizationId,
          task_id: input.taskId,
          device_id: deviceId,
          action: 'install',
          created_at: now,
        });
        const note = w.writes.insert('task_activities', {
          organization_id: w.me.organizationId,
          task_id: input.taskId,
          user_id: w.me.userId,
          action: 'device',
          description: `${type} ${input.serialNumber} recorded`,
          created_at: now,
        });
        return { deviceId, mutationIds: mutationIds(device, link, note) };
      });
    },

    'devices:update': ({ id, changes }) => {
      const w = ws();
      const exists = w.db.prepare(`SELECT 1 FROM devices_view WHERE id = ? AND deleted_at IS NULL`).get(id);
      if (!exists) throw new ApiError('not_found', 'This device is not on this computer: it may have been removed.');
      assertMayWrite(w.me.role, 'devices', 'update');
      return writeAction(ctx, ['devices'], () => ({
        mutationIds: mutationIds(w.writes.update('devices', { id }, changes)),
      }));
    },

    'devices:query': ({ offset, limit, ...filter }) => {
      const db = ws().db;
      const { total, ids } = deviceWindow(db, filter, offset, limit);
      return { total, rows: devicesByIds(db, ids) };
    },

    'devices:export-csv': async (filter) => {
      const db = ws().db;
      const devices = devicesByIds(db, allDeviceIds(db, filter));
      const csv = toCsv(CSV_HEADER, devices.map(csvCells));
      const fileName = `devices-${new Date().toISOString().slice(0, 10)}.csv`;
      if (!ctx.saveCsv) return { kind: 'download', fileName, csv, rows: devices.length };
      const path = await ctx.saveCsv(fileName, csv);
      if (path === null) throw new ApiError('canceled', 'The export was canceled; nothing was saved.');
      return { kind: 'saved', path, rows: devices.length };
    },
  };
}
