/** Site contacts: a property's own contacts, then its account's general ones (no site of their own). */
import type { Contact } from '../../../shared/api/views.js';
import type { Replica } from '../../../sync/client/replica/open-replica.js';
import { bool, stmt } from './sql.js';

type ContactRow = {
  id: string;
  first_name: string;
  last_name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  is_primary: number;
  is_after_hours: number;
  notes: string | null;
};

const COLUMNS = 'id, first_name, last_name, title, email, phone, mobile, is_primary, is_after_hours, notes';

const toContact = (c: ContactRow): Contact => ({
  id: c.id,
  name: `${c.first_name} ${c.last_name}`.trim(),
  title: c.title,
  email: c.email,
  phone: c.phone,
  mobile: c.mobile,
  isPrimary: bool(c.is_primary),
  isAfterHours: bool(c.is_after_hours),
  notes: c.notes,
});

const ORDER = 'ORDER BY is_primary DESC, last_name COLLATE NOCASE, first_name COLLATE NOCASE, id';

export function contactsForSite(db: Replica, propertyId: string, accountId: string | null): Contact[] {
  const own = stmt(
    db,
    `SELECT ${COLUMNS} FROM contacts_view WHERE property_id = ? AND deleted_at IS NULL ${ORDER}`,
  ).all(propertyId) as ContactRow[];
  const general = accountId
    ? (stmt(
        db,
        `SELECT ${COLUMNS} FROM contacts_view WHERE account_id = ? AND property_id IS NULL AND deleted_at IS NULL ${ORDER}`,
      ).all(accountId) as ContactRow[])
    : [];
  return [...own, ...general].map(toContact);
}
