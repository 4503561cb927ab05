/** Sites (properties) for the dispatcher's list, map and detail screen. */
import type { PropertyDetail, PropertySummary } from '../../../shared/api/views.js';
import type { Replica } from '../../../sync/client/replica/open-replica.js';
import { contactsForSite } from './contacts.js';
import { allDeviceIds, deviceCountsByProperty } from './device-search.js';
import { devicesByIds } from './devices.js';
import { byId, containsPattern, IN_LIST, num, rowsForIds, stmt } from './sql.js';
import { openTasksOfProperty } from './tasks.js';

type PropertyRow = {
  id: string;
  name: string;
  address_line1: string;
  city: string;
  region: string;
  postal_code: string;
  latitude: number | null;
  longitude: number | null;
  account_id: string;
};

const COLUMNS = 'id, name, address_line1, city, region, postal_code, latitude, longitude, account_id';

function openTaskCounts(db: Replica): Map<string, number> {
  const rows = stmt(
    db,
    `SELECT property_id, count(*) AS n FROM tasks_view
     WHERE deleted_at IS NULL AND status NOT IN ('done', 'cancelled') GROUP BY property_id`,
  ).all() as { property_id: string; n: number }[];
  return new Map(rows.map((r) => [r.property_id, num(r.n)]));
}

function summaries(
  db: Replica,
  rows: readonly PropertyRow[],
  opts: { openTasks: Map<string, number>; devices: Map<string, number> },
): PropertySummary[] {
  const accounts = byId(
    rowsForIds<{ id: string; name: string }>(db, `SELECT id, name FROM accounts_view WHERE id IN ${IN_LIST}`, [
      ...new Set(rows.map((r) => r.account_id)),
    ]),
  );
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    addressLine1: p.address_line1,
    city: p.city,
    region: p.region,
    postalCode: p.postal_code,
    latitude: p.latitude,
    longitude: p.longitude,
    account: { id: p.account_id, name: accounts.get(p.account_id)?.name ?? 'Unknown account' },
    openTasks: opts.openTasks.get(p.id) ?? 0,
    devices: opts.devices.get(p.id) ?? 0,
  }));
}

/** Live sites by name; `search` matches name, address, city, postal code or account name (contains, any case). */
export function listProperties(db: Replica, search?: string): PropertySummary[] {
  const term = search?.trim();
  const rows = term
    ? (stmt(
        db,
        `SELECT ${COLUMNS} FROM properties_view WHERE deleted_at IS NULL
         AND (name LIKE @q ESCAPE '\\' OR address_line1 LIKE @q ESCAPE '\\' OR city LIKE @q ESCAPE '\\'
              OR postal_code LIKE @q ESCAPE '\\'
              OR account_id IN (SELECT id FROM accounts_view WHERE name LIKE @q ESCAPE '\\'))
         ORDER BY name COLLATE NOCASE, id`,
      ).all({ q: containsPattern(term) }) as PropertyRow[])
    : (stmt(
        db,
        `SELECT ${COLUMNS} FROM properties_view WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE, id`,
      ).all() as PropertyRow[]);
  return summaries(db, rows, { openTasks: openTaskCounts(db), devices: deviceCountsByProperty(db) });
}

type DetailRow = PropertyRow & {
  address_line2: string | null;
  country_code: string;
  site_type: string | null;
  access_notes: string | null;
};

type FileRow = {
  id: string;
  name: string;
  mime_type: string;
  size_bytes: number | bigint;
  upload_status: string;
  created_at: string | null;
};

export function propertyDetail(db: Replica, id: string): PropertyDetail | undefined {
  const p = stmt(
    db,
    `SELECT ${COLUMNS}, address_line2, country_code, site_type, access_notes FROM properties_view
     WHERE id = ? AND deleted_at IS NULL`,
  ).get(id) as DetailRow | undefined;
  if (!p) return undefined;
  const deviceIds = allDeviceIds(db, { propertyId: id, sort: { column: 'serialNumber', direction: 'asc' } });
  const openTaskList = openTasksOfProperty(db, id);
  const [summary] = summaries(db, [p], {
    openTasks: new Map([[id, openTaskList.length]]),
    devices: new Map([[id, deviceIds.length]]),
  });
  return {
    ...summary!,
    addressLine2: p.address_line2,
    countryCode: p.country_code,
    siteType: p.site_type,
    accessNotes: p.access_notes,
    contacts: contactsForSite(db, id, p.account_id),
    devices: devicesByIds(db, deviceIds),
    openTaskList,
    files: filesOf(db, id),
  };
}

function filesOf(db: Replica, propertyId: string): PropertyDetail['files'] {
  const links = stmt(
    db,
    `SELECT file_id, caption FROM attachments_view
     WHERE entity_id = ? AND entity_type = 'property' AND deleted_at IS NULL ORDER BY created_at, id`,
  ).all(propertyId) as { file_id: string; caption: string | null }[];
  const files = byId(
    rowsForIds<FileRow>(
      db,
      `SELECT id, name, mime_type, size_bytes, upload_status, created_at FROM files_view
       WHERE deleted_at IS NULL AND id IN ${IN_LIST}`,
      links.map((l) => l.file_id),
    ),
  );
  return links
    .filter((l) => files.has(l.file_id))
    .map((l) => {
      const f = files.get(l.file_id)!;
      return {
        id: f.id,
        name: f.name,
        mimeType: f.mime_type,
        sizeBytes: num(f.size_bytes),
        uploadStatus: f.upload_status,
        caption: l.caption,
        createdAt: f.created_at ?? '',
      };
    });
}
