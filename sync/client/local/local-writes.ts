/**
 * The one write API of the replica. A write is visible in every `<table>_view` query as soon as it
 * returns, and its mutation is appended to the outbox in the same SQLite transaction, with the base
 * it was made against: a crash either keeps both or neither. Writes made inside `transaction()` are
 * one user action: one SQLite transaction here, one `tx` on the server.
 */
import { randomUUID } from 'node:crypto';
import type { Mutation } from '../../../shared/sync/mutations.js';
import { primaryKey, publicColumnNames, type TableDef } from '../../../shared/schema/table.js';
import { tableByName } from '../../../shared/schema/tables.js';
import type { Replica } from '../replica/open-replica.js';
import { encodeValue } from '../replica/value-codec.js';
import { keyJson, mergedRow, rebuildOverlay, syncedRow, type RowKey } from './overlay.js';
import { toWire } from './wire-values.js';

export type LocalWriteErrorCode =
  | 'unknown_table'
  | 'unknown_column'
  | 'server_owned'
  | 'invalid_value'
  | 'missing_value'
  | 'not_found'
  | 'already_exists';

/** A write refused before anything changed. */
export class LocalWriteError extends Error {
  constructor(
    readonly code: LocalWriteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LocalWriteError';
  }
}

/** `undefined` means "not given", as in a spread of optional fields. */
const defined = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));

export type WriteReceipt = { mutationId: string; pk: RowKey };

export type LocalWritesOptions = { now?: () => Date; newId?: () => string };

export class LocalWrites {
  readonly #db: Replica;
  readonly #now: () => Date;
  readonly #newId: () => string;
  #tx: string | undefined;
  readonly #append;

  constructor(db: Replica, opts: LocalWritesOptions = {}) {
    this.#db = db;
    this.#now = opts.now ?? (() => new Date());
    this.#newId = opts.newId ?? randomUUID;
    this.#append = db.prepare(
      `INSERT INTO sync_outbox (id, tx, table_name, op, pk, "values", base, created_at)
       VALUES (@id, @tx, @table, @op, @pk, @values, @base, @createdAt)`,
    );
  }

  /** Runs `fn` as one user action: all its writes commit together and travel as one server transaction. */
  transaction<T>(fn: (w: this) => T): T {
    if (this.#tx) return fn(this);
    this.#tx = this.#newId();
    try {
      return this.#db.transaction(() => fn(this)).immediate();
    } finally {
      this.#tx = undefined;
    }
  }

  /** Inserts a row; `id` is made here when not given. Returns the row's key. */
  insert(tableName: string, values: Record<string, unknown>): WriteReceipt {
    const table = this.#table(tableName);
    const row = defined(values);
    for (const c of primaryKey(table)) if (row[c] === undefined && c === 'id') row[c] = this.#newId();
    this.#checkColumns(table, row, 'insert');
    for (const [c, def] of Object.entries(table.columns)) {
      if (def.secret || def.serverOwned || def.hasDefault || def.nullable) continue;
      if (row[c] === undefined || row[c] === null)
        throw new LocalWriteError('missing_value', `${table.name}.${c} is required for a new row.`);
    }
    const pk = this.#key(table, row);
    return this.#write(table, pk, () => {
      if (mergedRow(this.#db, table, pk))
        throw new LocalWriteError('already_exists', `${table.name} ${keyJson(table, pk)} already exists.`);
      return { op: 'insert', values: row };
    });
  }

  /** Changes some columns of a row. Columns whose value does not change are left out; nothing changing is a no-op (null). */
  update(tableName: string, pk: RowKey, changes: Record<string, unknown>): WriteReceipt | null {
    const table = this.#table(tableName);
    changes = defined(changes);
    this.#checkColumns(table, changes, 'update');
    const key = this.#key(table, pk);
    let changed = true;
    const receipt = this.#write(table, key, () => {
      const current = mergedRow(this.#db, table, key);
      if (!current) throw new LocalWriteError('not_found', `${table.name} ${keyJson(table, key)} does not exist here.`);
      const values: Record<string, unknown> = {};
      const baseValues: Record<string, unknown> = {};
      for (const [c, v] of Object.entries(changes)) {
        const now = toWire(table.columns[c]!, current[c]);
        if (JSON.stringify(now) === JSON.stringify(v)) continue;
        values[c] = v;
        baseValues[c] = now;
      }
      if (Object.keys(values).length === 0) {
        changed = false;
        return null;
      }
      return { op: 'update', values, base: { values: baseValues, version: this.#version(table, key) } };
    });
    return changed ? receipt : null;
  }

  /** Deletes a row (the server soft-deletes where the table keeps history). */
  delete(tableName: string, pk: RowKey): WriteReceipt {
    const table = this.#table(tableName);
    const key = this.#key(table, pk);
    return this.#write(table, key, () => {
      const current = mergedRow(this.#db, table, key);
      if (!current) throw new LocalWriteError('not_found', `${table.name} ${keyJson(table, key)} does not exist here.`);
      // The whole row as the user saw it: the server refuses the delete (conflict) when someone
      // else has changed any of it since, instead of silently erasing their edit.
      const values = Object.fromEntries(Object.entries(current).map(([c, v]) => [c, toWire(table.columns[c]!, v)]));
      return { op: 'delete', base: { values, version: this.#version(table, key) } };
    });
  }

  #write(table: TableDef, pk: RowKey, make: () => Pick<Mutation, 'op' | 'values' | 'base'> | null): WriteReceipt {
    const mutationId = this.#newId();
    const run = () => {
      const m = make();
      if (!m) return;
      this.#append.run({
        id: mutationId,
        tx: this.#tx ?? null,
        table: table.name,
        op: m.op,
        pk: keyJson(table, pk),
        values: m.values ? JSON.stringify(m.values) : null,
        base: m.base ? JSON.stringify(m.base) : null,
        createdAt: this.#now().toISOString(),
      });
      rebuildOverlay(this.#db, table, pk);
    };
    if (this.#db.inTransaction) run();
    else this.#db.transaction(run).immediate();
    return { mutationId, pk };
  }

  #table(name: string): TableDef {
    const t = tableByName(name);
    if (!t) throw new LocalWriteError('unknown_table', `"${name}" is not a synced table.`);
    return t;
  }

  #key(table: TableDef, row: RowKey): RowKey {
    const out: RowKey = {};
    for (const c of primaryKey(table)) {
      const v = row[c];
      if (typeof v !== 'string' || v === '')
        throw new LocalWriteError('missing_value', `${table.name}.${c} (the key) must be given.`);
      out[c] = v;
    }
    return out;
  }

  /** Known, writable columns with values the replica can hold; throws before anything is written. */
  #checkColumns(table: TableDef, values: Record<string, unknown>, op: 'insert' | 'update'): void {
    const known = new Set(publicColumnNames(table));
    for (const [c, v] of Object.entries(values)) {
      const def = table.columns[c];
      if (!def || !known.has(c)) throw new LocalWriteError('unknown_column', `${table.name} has no column "${c}".`);
      if (def.serverOwned) throw new LocalWriteError('server_owned', `${table.name}.${c} is set by the server only.`);
      if (op === 'update' && (def.primaryKey || c === table.scope))
        throw new LocalWriteError('server_owned', `${table.name}.${c} cannot change on an existing row.`);
      try {
        encodeValue(table.name, c, def, (v === undefined ? null : v) as never);
      } catch (e) {
        throw new LocalWriteError('invalid_value', (e as Error).message);
      }
    }
  }

  #version(table: TableDef, pk: RowKey): number {
    const v = syncedRow(this.#db, table, pk)?.row_version;
    return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;
  }
}
