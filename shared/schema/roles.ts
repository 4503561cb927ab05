/** Membership roles, most powerful first. */
export const ROLES = ['owner', 'admin', 'dispatcher', 'technician'] as const;
export type Role = (typeof ROLES)[number];

/** May manage memberships and organization settings. */
export const ADMINS: readonly Role[] = ['owner', 'admin'];
/** May manage the organization's working data (accounts, properties, projects, tasks …). */
export const MANAGERS: readonly Role[] = ['owner', 'admin', 'dispatcher'];
/** Every member. */
export const EVERYONE: readonly Role[] = ROLES;
/** Nobody through the app; only the server itself (migrations, operators). */
export const NOBODY: readonly Role[] = [];

export const WRITE_OPS = ['insert', 'update', 'delete'] as const;
export type WriteOp = (typeof WRITE_OPS)[number];

/**
 * Who may write a table. Reading is always "every active member of the row's organization".
 * This record is the rule set: the RLS policies in migrations/postgres are checked against it
 * (sync/server/db/rls.test.ts, role by role) and the gateway derives its shape filters from it.
 */
export type AccessRule = Readonly<Record<WriteOp, readonly Role[]>>;

export const access = (insert: readonly Role[], update: readonly Role[], del: readonly Role[]): AccessRule => ({
  insert,
  update,
  delete: del,
});
