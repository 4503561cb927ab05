/** People of the organization: names for person references, and the member list. */
import type { Member, PersonRef } from '../../../shared/api/views.js';
import type { Role } from '../../../shared/schema/roles.js';
import type { Replica } from '../../../sync/client/replica/open-replica.js';
import { stmt } from './sql.js';

export type PeopleNames = Map<string, string>;

/** user id → display name (a small table: one row per member). */
export function peopleNames(db: Replica): PeopleNames {
  const rows = stmt(db, `SELECT user_id, display_name FROM user_profiles_view`).all() as {
    user_id: string;
    display_name: string;
  }[];
  return new Map(rows.map((r) => [r.user_id, r.display_name]));
}

export const personRef = (names: PeopleNames, userId: unknown): PersonRef | null =>
  typeof userId === 'string' ? { id: userId, name: names.get(userId) ?? 'Former member' } : null;

/** Active members, by name. */
export function listMembers(db: Replica): Member[] {
  const names = peopleNames(db);
  const rows = stmt(db, `SELECT user_id, role FROM organization_members_view WHERE status = 'active'`).all() as {
    user_id: string;
    role: Role;
  }[];
  return rows
    .map((r) => ({ userId: r.user_id, name: names.get(r.user_id) ?? 'Unnamed member', role: r.role }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
}

/** Whether `userId` is an active member (someone a task may be assigned to). */
export const isActiveMember = (db: Replica, userId: string): boolean =>
  stmt(db, `SELECT 1 FROM organization_members_view WHERE user_id = ? AND status = 'active'`).get(userId) !== undefined;
