/**
 * The conflict inbox: mutations the server did not apply as made, with what I did, what the server
 * has now and what both started from, per column. Three kinds:
 *   conflict    columns changed on both sides wait for a person (and columns a rule decided are shown)
 *   rejected    nothing applied; the server's reason
 *   overridden  applied, but a rule (shared/sync/conflict-policy.ts) kept the server's value of some
 *               columns: the person is told what the rule did and why
 * and the ways out:
 *   keep mine   my values again, as a new mutation on a fresh base (the server's current row); only
 *               the columns left to a person. A rule's decision is not undone from here: on a fresh
 *               base the server would accept it, so keeping a technician's status over dispatch's
 *               would be the re-plan the rule exists to prevent (and a move the app's own status
 *               rules refuse a technician, e.g. out of cancelled)
 *   take theirs drop mine; the row already shows the server's values
 *   acknowledge overridden only: the person has seen it; nothing else changes
 * Resolving is one SQLite transaction; the new mutation (if any) goes through LocalWrites like any
 * other edit.
 */
import { conflictRule, overridesMine } from '../../../shared/sync/conflict-policy.js';
import type { ColumnConflict } from '../../../shared/sync/mutations.js';
import { tableByName } from '../../../shared/schema/tables.js';
import type { Replica } from '../replica/open-replica.js';
import { LocalWrites, LocalWriteError } from './local-writes.js';
import { mergedRow, type RowKey } from './overlay.js';
import { toWire } from './wire-values.js';

export type InboxField = {
  column: string;
  base: unknown;
  mine: unknown;
  theirs: unknown;
  /** conflict and overridden entries: how the server resolved the column (`manual`: left to a person). */
  resolution?: string;
  /** The automatic rule that decided it, by name, and why that rule exists. */
  rule?: string;
  why?: string;
};

export type InboxKind = 'conflict' | 'rejected' | 'overridden';

export type InboxEntry = {
  mutationId: string;
  kind: InboxKind;
  table: string;
  op: 'insert' | 'update' | 'delete';
  pk: RowKey;
  /**
   * conflict: the columns changed on both sides (`manual` ones first, then any a rule overrode);
   * overridden: the columns a rule overrode; rejected: every column I changed.
   */
  fields: InboxField[];
  reason: { code: string; message: string } | null;
  createdAt: string;
};

type Row = {
  mutation_id: string;
  kind: InboxKind;
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

/** A way out the entry does not offer: keep mine on what a rule decided, acknowledge on a decision. */
export class InboxChoiceError extends Error {
  constructor(
    readonly code: 'not_choosable' | 'needs_choice',
    message: string,
  ) {
    super(message);
    this.name = 'InboxChoiceError';
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
        if (entry.kind === 'overridden') {
          const rules = [...new Set(entry.fields.map((f) => f.rule ?? 'the server'))].join(', ');
          throw new InboxChoiceError(
            'not_choosable',
            `Your change to ${entry.fields.map((f) => f.column).join(', ')} was decided by ${rules}; it cannot be kept from the inbox. Acknowledge it; to change the row again, make a new edit where the app allows it.`,
          );
        }
        // Only what was left to a person: a rule's decision on other columns stands.
        const open = entry.fields.filter((f) => f.resolution === undefined || f.resolution === 'manual');
        const mine = Object.fromEntries(open.map((f) => [f.column, f.mine]));
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

  /** Closes an overridden entry: the person has seen what the rule did. Nothing else changes. */
  acknowledge(mutationId: string, now = new Date()): void {
    this.#db
      .transaction(() => {
        const row = this.#open(mutationId);
        if (row.kind !== 'overridden')
          throw new InboxChoiceError(
            'needs_choice',
            `The inbox entry for ${mutationId} is a ${row.kind === 'rejected' ? 'rejected edit' : 'conflict'}: choose keep mine or take theirs.`,
          );
        this.#resolve(mutationId, 'acknowledged', now);
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

  #resolve(mutationId: string, resolution: 'keep_mine' | 'take_theirs' | 'acknowledged', now: Date): void {
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
    const conflicts = r.kind !== 'rejected' && r.conflicts ? (JSON.parse(r.conflicts) as ColumnConflict[]) : null;
    const field = (c: ColumnConflict): InboxField => {
      const rule = conflictRule(c.rule);
      return {
        column: c.column,
        base: c.base,
        mine: c.mine,
        theirs: theirs(c.column),
        resolution: c.resolution,
        ...(c.rule ? { rule: c.rule } : {}),
        ...(rule ? { why: rule.why } : {}),
      };
    };
    const fields: InboxField[] = conflicts
      ? [
          ...(r.kind === 'conflict' ? conflicts.filter((c) => c.resolution === 'manual') : []),
          ...conflicts.filter(overridesMine),
        ].map(field)
      : Object.keys(mine).map((c) => ({ column: c, base: base[c] ?? null, mine: mine[c], theirs: theirs(c) }));
    return {
      mutationId: r.mutation_id,
      kind: r.kind,
      table: r.table_name,
      op: r.op,
      pk,
      fields,
      reason: r.reason
        ? (JSON.parse(r.reason) as InboxEntry['reason'])
        : r.kind === 'overridden'
          ? overriddenReason(fields)
          : null,
      createdAt: r.created_at,
    };
  }
}

/** What an overridden entry says: which of my columns did not stand, and each deciding rule's why. */
function overriddenReason(fields: readonly InboxField[]): InboxEntry['reason'] {
  const columns = fields.map((f) => f.column).join(', ');
  const rules = [...new Map(fields.filter((f) => f.rule).map((f) => [f.rule!, f.why])).entries()];
  const names = rules.map(([name]) => name).join(', ');
  const whys = rules
    .map(([, why]) => why)
    .filter(Boolean)
    .join(' ');
  return {
    code: 'overridden',
    message: `Your change to ${columns} did not stand; the server kept its value${names ? ` (${names})` : ''}.${whys ? ` ${whys}` : ''}`,
  };
}
