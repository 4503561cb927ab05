/**
 * Everything about one mutation that can be judged without the database: the table is synced and
 * the caller's role may make this kind of write (the same rule set the RLS policies are checked
 * against, shared/schema/tables.ts), the key and columns exist and are writable, every value fits
 * its column kind, an insert carries its required columns. The result is a plan the applier runs,
 * or a rejection with a reason a person can read. RLS still decides in Postgres; this only makes
 * the common refusals readable and catches what RLS cannot tell apart (a soft delete is an UPDATE).
 */
import type { ColumnDef } from '../../../../shared/schema/columns.js';
import type { Role } from '../../../../shared/schema/roles.js';
import { primaryKey, type TableDef } from '../../../../shared/schema/table.js';
import { tableByName } from '../../../../shared/schema/tables.js';
import type { Mutation, RejectionCode } from '../../../../shared/sync/mutations.js';
import { valueProblem } from './values.js';

export type Caller = { userId: string; organizationId: string; role: Role; clientId: string };

export type Rejection = { code: RejectionCode; message: string };

/** A column and the client's value for it; `source` says where in the mutation it came from. */
export type Entry = { column: string; def: ColumnDef; value: unknown; source: 'pk' | 'values' | 'base' | 'server' };

export type Plan =
  | { op: 'insert'; table: TableDef; pk: Record<string, string>; values: Entry[] }
  | { op: 'update'; table: TableDef; pk: Record<string, string>; values: Entry[]; base: Entry[]; version: number }
  | { op: 'delete'; table: TableDef; pk: Record<string, string>; base: Entry[]; version: number };

/** Thrown (and caught by the applier) to reject the mutation being applied. */
export class MutationRejected extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
  }
}

const reject = (code: RejectionCode, message: string): never => {
  throw new MutationRejected(code, message);
};

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

const sameUuid = (v: unknown, id: string) => typeof v === 'string' && v.toLowerCase() === id.toLowerCase();

const OP_WORDS = { insert: 'add', update: 'change', delete: 'delete' } as const;

/**
 * Columns an update may never name: the key, the organization, who created the row and when, and
 * everything the server maintains (updated_at, row_version).
 */
export function immutableOnUpdate(table: TableDef): Set<string> {
  const out = new Set<string>([...primaryKey(table), table.scope]);
  for (const c of ['created_at', 'created_by']) if (c in table.columns) out.add(c);
  for (const [name, def] of Object.entries(table.columns)) if (def.serverOwned) out.add(name);
  return out;
}

/** May `role` make this kind of write to `table`? Readable refusal, or null. */
export function roleProblem(table: TableDef, op: 'insert' | 'update' | 'delete', role: Role): string | null {
  const allowed = table.access[op];
  if (allowed.includes(role)) return null;
  if (allowed.length === 0) return `Nobody may ${OP_WORDS[op]} ${table.name} rows from the app.`;
  return `Your role (${role}) may not ${OP_WORDS[op]} ${table.name} rows; ${allowed.join(', ')} may.`;
}

function column(table: TableDef, name: string, where: string): ColumnDef {
  const def = table.columns[name];
  if (!def) return reject('invalid', `${table.name} has no column ${name} (${where}).`);
  if (def.secret)
    return reject('invalid', `${table.name}.${name} is kept on the server only; the app cannot write or read it.`);
  return def;
}

function checkedEntry(table: TableDef, name: string, value: unknown, where: 'values' | 'base'): Entry {
  const def = column(table, name, where);
  const problem = valueProblem(def, value);
  if (problem) reject('invalid', `${table.name}.${name}${where === 'values' ? '' : ` (${where})`}: ${problem}.`);
  return { column: name, def, value, source: where };
}

function checkedPk(table: TableDef, pk: Record<string, unknown>): Record<string, string> {
  const cols = primaryKey(table);
  const extra = Object.keys(pk).filter((k) => !cols.includes(k));
  const missing = cols.filter((k) => !has(pk, k));
  if (extra.length || missing.length) {
    reject('invalid', `The key of ${table.name} is (${cols.join(', ')}); got (${Object.keys(pk).join(', ')}).`);
  }
  const out: Record<string, string> = {};
  for (const c of cols) {
    const problem = valueProblem(table.columns[c]!, pk[c]);
    if (problem) reject('invalid', `${table.name} key ${c}: ${problem}.`);
    out[c] = String(pk[c]).toLowerCase();
  }
  return out;
}

function checkedBase(table: TableDef, m: Mutation): { base: Entry[]; version: number } {
  if (!m.base) {
    return reject(
      'invalid',
      `An ${m.op} needs base: the row_version and the synced values it was made on, so the server can tell whose change is whose.`,
    );
  }
  const base = Object.entries(m.base.values).map(([name, value]) => checkedEntry(table, name, value, 'base'));
  return { base, version: m.base.version };
}

/** Judges one mutation for `caller`; throws MutationRejected. */
export function planMutation(m: Mutation, caller: Caller): Plan {
  const table = tableByName(m.table);
  if (!table) return reject('invalid', `${m.table} is not a table the app can write.`);
  const roleRefusal = roleProblem(table, m.op, caller.role);
  if (roleRefusal) reject('forbidden', roleRefusal);
  const pk = checkedPk(table, m.pk);

  if (m.op === 'insert') {
    if (!m.values) return reject('invalid', 'An insert needs values: the new row.');
    if (m.base) reject('invalid', 'An insert has no base.');
    const values = new Map<string, Entry>();
    for (const [name, value] of Object.entries(m.values)) {
      const def = column(table, name, 'values');
      if (def.serverOwned) reject('server_owned', `${table.name}.${name} is set by the server; leave it out.`);
      if (def.primaryKey) {
        if (typeof value !== 'string' || value.toLowerCase() !== pk[name]) {
          reject('invalid', `${table.name}.${name} in values differs from the mutation's key.`);
        }
        continue;
      }
      if (name === table.scope && !sameUuid(value, caller.organizationId)) {
        reject('forbidden', `The row must belong to your organization (${caller.organizationId}).`);
      }
      if (name === 'created_by' && value !== null && !sameUuid(value, caller.userId)) {
        reject('forbidden', `${table.name}.created_by must be you (${caller.userId}) or left out.`);
      }
      values.set(name, checkedEntry(table, name, value, 'values'));
    }
    for (const [name, value] of Object.entries(pk)) {
      values.set(name, { column: name, def: table.columns[name]!, value, source: 'pk' });
    }
    if (!primaryKey(table).includes(table.scope)) {
      const def = table.columns[table.scope]!;
      values.set(table.scope, { column: table.scope, def, value: caller.organizationId, source: 'server' });
    }
    if ('created_by' in table.columns && values.get('created_by')?.value == null) {
      const def = table.columns.created_by!;
      values.set('created_by', { column: 'created_by', def, value: caller.userId, source: 'server' });
    }
    const missing = Object.entries(table.columns)
      .filter(([name, def]) => !def.nullable && !def.hasDefault && !def.secret && !values.has(name))
      .map(([name]) => name);
    if (missing.length) reject('invalid', `A new ${table.name} row needs ${missing.join(', ')}.`);
    return { op: 'insert', table, pk, values: [...values.values()] };
  }

  if (m.op === 'update') {
    if (!m.values || Object.keys(m.values).length === 0) {
      return reject('invalid', 'An update needs values: the changed columns.');
    }
    const immutable = immutableOnUpdate(table);
    const values: Entry[] = [];
    for (const [name, value] of Object.entries(m.values)) {
      column(table, name, 'values');
      if (immutable.has(name)) reject('server_owned', `${table.name}.${name} cannot be changed by the app.`);
      values.push(checkedEntry(table, name, value, 'values'));
    }
    // Setting or clearing deleted_at deletes or restores the row: that takes the right to delete.
    if (table.softDelete && has(m.values, 'deleted_at')) {
      const refusal = roleProblem(table, 'delete', caller.role);
      if (refusal) reject('forbidden', `${refusal} Setting deleted_at deletes or restores a row.`);
    }
    const { base, version } = checkedBase(table, m);
    const missingBase = values.filter((v) => !base.some((b) => b.column === v.column)).map((v) => v.column);
    if (missingBase.length) {
      reject(
        'invalid',
        `base.values needs the value each changed column had before the edit: ${missingBase.join(', ')}.`,
      );
    }
    return { op: 'update', table, pk, values, base, version };
  }

  if (m.values && Object.keys(m.values).length) reject('invalid', 'A delete carries no values.');
  const { base, version } = checkedBase(table, m);
  return { op: 'delete', table, pk, base, version };
}

/**
 * Row ids a mutation refers to: the row it updates or deletes, and every UUID it writes (foreign
 * keys, polymorphic entity ids). A UUID names one row, so one equal to a row inserted by a rejected
 * mutation of the same request is a reference to a row that does not exist.
 */
export function referencedIds(m: Mutation): string[] {
  const table = tableByName(m.table);
  if (!table) return [];
  const out: string[] = [];
  if (m.op !== 'insert') for (const v of Object.values(m.pk)) if (typeof v === 'string') out.push(v.toLowerCase());
  for (const [name, value] of Object.entries(m.values ?? {})) {
    const def = table.columns[name];
    if (def?.kind === 'uuid' && !def.primaryKey && name !== table.scope && typeof value === 'string') {
      out.push(value.toLowerCase());
    }
  }
  return out;
}
