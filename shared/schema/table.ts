import { col, type ColumnDef } from './columns.js';
import type { AccessRule } from './roles.js';

export type TableDef = {
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnDef>>;
  /** The column holding the organization a row belongs to (`id` for organizations itself). */
  readonly scope: string;
  readonly softDelete: boolean;
  readonly access: AccessRule;
};

/** id + organization_id: the head of every tenant table. */
export const tenantKey = () => ({
  id: col.uuid().pk(),
  organization_id: col.uuid(),
});

/** Bookkeeping every synced table carries; the triggers in migrations/postgres maintain them. */
export const syncColumns = () => ({
  created_at: col.timestamptz().defaulted(),
  updated_at: col.timestamptz().server(),
  /** Incremented by trigger on every update: the base version a queued edit was made against. */
  row_version: col.bigint().server(),
});

export const softDeleteColumn = () => ({ deleted_at: col.timestamptz().optional() });

export function defineTable(
  name: string,
  columns: Record<string, ColumnDef>,
  opts: { access: AccessRule; scope?: string },
): TableDef {
  const scope = opts.scope ?? 'organization_id';
  if (!(scope in columns)) throw new Error(`table ${name}: scope column ${scope} is not defined`);
  return { name, columns, scope, softDelete: 'deleted_at' in columns, access: opts.access };
}

export const columnNames = (t: TableDef): string[] => Object.keys(t.columns);
export const publicColumnNames = (t: TableDef): string[] =>
  Object.entries(t.columns)
    .filter(([, c]) => !c.secret)
    .map(([n]) => n);
export const primaryKey = (t: TableDef): string[] =>
  Object.entries(t.columns)
    .filter(([, c]) => c.primaryKey)
    .map(([n]) => n);
