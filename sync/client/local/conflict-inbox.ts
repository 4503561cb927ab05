/**
 * The conflict inbox: mutations the server did not apply as made, with what I did, what the server
 * has now and what both started from, per column, and the two ways out:
 *   keep mine   my values again, as a new mutation on a fresh base (the server's current row)
 *   take theirs drop mine; the row already shows the server's values
 * Resolving is one SQLite transaction; the new mutation (if any) goes through LocalWrites like any
 * other edit.
 */
import type { ColumnConflict } from '../../../shared/sync/mutations.js';
import { tableByName } from '../../../shared/schema/tables.js';
import type { Replica } from '../replica/open-replica.js';
import { LocalWrites, LocalWriteError } from './local-writes.js';
import { mergedRow, type RowKey } from './overlay.js';
import { toWire } from './wire-values.js';

export type InboxField = { column: string; base: unknown; mine: unknown; theirs: unknown; resolution?: string };

export type InboxEntry = {
  mutationId: string;
  kind: 'conflict' | 'rejected';
  table: string;
  op: 'insert' | 'update' | 'delete';
  pk: RowKey;
  /** conflict: the columns changed on both sides; rejected: every column I changed. */
  fields: InboxField[];
  reason: { code: string; message: string } | null;
  createdAt: string;
};

type Row = {
  mutation_id: string;
  kind: 'conflict' | 'rejected';
  table_name: string;
  op: InboxEntry['op'];
  pk: string;
  mine: string | null;
  base: string | null;
  conflicts: string | null;
  reason: string | null;
  created_at: string;
};

export class InboxError extends Error {
  constructor(
    readonly code: 'not_found' | 'already_resolved' | 'row_gone',
    message: string,
  ) {
    super(message);
    this.name = 'InboxError';
  }
}

export class ConflictInbox {
  readonly #db: Replica;
  readonly #writes: LocalWrites;

  constructor(db: Replica, writes = new LocalWrites(db)) {
    this.#db = db;
    this.#writes = writes;
  }

  /** Open entries, oldest first, with the server's current values ("theirs") read from the replica. */
  list(): InboxEntry[] {
    const rows = this.#db
      .prepare(`SELECT * FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY created_at, mutation_id`)
      .all() as Row[];
    return rows.map((r) => this.#entry(r));
  }

  /** Keeps my values: queues them again on the server's current row; returns the new mutation id. */
  keepMine(mutationId: string, now = new Date()): string | null {
    return this.#db
      .transaction(() => {
        const row = this.#open(mutationId);
        const entry = this.#entry(row);
        const mine = Object.fromEntries(entry.fields.map((f) => [f.column, f.mine]));
        let receipt: { mutationId: string } | null;
        try {
          if (entry.op === 'delete') receipt = this.#writes.delete(entry.table, entry.pk);
          else if (entry.op === 'insert' && !mergedRow(this.#db, tableByName(entry.table)!, entry.pk))
            receipt = this.#writes.insert(entry.table, { ...JSON.parse(row.mine ?? '{}'), ...entry.pk });
          else receipt = this.#writes.update(entry.table, entry.pk, mine);
        } catch (e) {
          if (e instanceof LocalWriteError && e.code === 'not_found')
            throw new InboxError(
              'row_gone',
              `${entry.table} row ${JSON.stringify(entry.pk)} is gone on the server; mine cannot be kept.`,
            );
          throw e;
        }
        this.#resolve(mutationId, 'keep_mine', now);
        return receipt?.mutationId ?? null;
      })
      .immediate();
  }

  /** Takes the server's values: closes the entry; nothing else changes. */
  takeTheirs(mutationId: string, now = new Date()): void {
    this.#db
      .transaction(() => {
        this.#open(mutationId);
        this.#resolve(mutationId, 'take_theirs', now);
      })
      .immediate();
  }

  #open(mutationId: string): Row {
    const row = this.#db.prepare(`SELECT * FROM sync_conflicts WHERE mutation_id = ?`).get(mutationId) as
      (Row & { resolved_at: string | null }) | undefined;
    if (!row) throw new InboxError('not_found', `No inbox entry for mutation ${mutationId}.`);
    if (row.resolved_at)
      throw new InboxError('already_resolved', `The inbox entry for ${mutationId} is already resolved.`);
    return row;
  }

  #resolve(mutationId: string, resolution: 'keep_mine' | 'take_theirs', now: Date): void {
    this.#db
      .prepare(`UPDATE sync_conflicts SET resolved_at = ?, resolution = ? WHERE mutation_id = ?`)
      .run(now.toISOString(), resolution, mutationId);
  }

  #entry(r: Row): InboxEntry {
    const table = tableByName(r.table_name);
    const pk = JSON.parse(r.pk) as RowKey;
    const current = table ? mergedRow(this.#db, table, pk) : undefined;
    const theirs = (column: string) =>
      current && table?.columns[column] ? toWire(table.columns[column], current[column]) : null;
    const mine = (r.mine ? JSON.parse(r.mine) : {}) as Record<string, unknown>;
    const base = ((r.base ? JSON.parse(r.base) : {}) as { values?: Record<string, unknown> }).values ?? {};
    const fields: InboxField[] =
      r.kind === 'conflict' && r.conflicts
        ? (JSON.parse(r.conflicts) as ColumnConflict[])
            .filter((c) => c.resolution === 'manual')
            .map((c) => ({
              column: c.column,
              base: c.base,
              mine: c.mine,
              theirs: theirs(c.column),
              resolution: c.resolution,
            }))
        : Object.keys(mine).map((c) => ({ column: c, base: base[c] ?? null, mine: mine[c], theirs: theirs(c) }));
    return {
      mutationId: r.mutation_id,
      kind: r.kind,
      table: r.table_name,
      op: r.op,
      pk,
      fields,
      reason: r.reason ? (JSON.parse(r.reason) as InboxEntry['reason']) : null,
      createdAt: r.created_at,
    };
  }
}
