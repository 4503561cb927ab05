/**
 * The outbox's life after a write: batches to upload (FIFO, whole user actions), what the server's
 * answers do to it, and confirmation when a mutation's transaction arrives on the shape stream.
 *
 *   queued ──applied/conflict with txid──► awaiting_txid ──txid on the stream──► gone (overlay dropped)
 *      │                                       (the stream's batch and the drop commit together)
 *      ├──applied/conflict with a txid the stream already brought──► gone (overlay dropped)
 *      ├──conflict with nothing written──► gone, columns in the conflict inbox
 *      └──rejected──► gone (overlay rolled back), reason in the conflict inbox
 *
 * An answer whose columns were decided by a rule against my value (resolution `server`, or a merge
 * that undid part of my change: conflict-policy.ts overridesMine) leaves an `overridden` inbox entry
 * beside whatever else happens: the person who made the edit is told that it did not stand.
 *
 * The stream can bring a mutation's txid before the answer does: the server commits before it
 * answers the request, and a client killed after the commit hears the answer only on the retry.
 * So while a table has queued mutations, the txids its stream delivers are kept, and an answer
 * carrying one of them is confirmed at once (stream-seen.ts).
 *
 * A shape fetched anew (a 409, must-refetch) starts with a snapshot whose rows carry no txids: a
 * transaction it already contains never comes down the stream by its txid. The stream ends the
 * snapshot with `snapshot-end`, the Postgres snapshot it was read in; a mutation whose transaction
 * that snapshot contains is confirmed with the batch that brings it (awaiting_txid), or by its
 * answer (queued: the snapshot is kept like the txids).
 */
import { randomUUID } from 'node:crypto';
import { overridesMine } from '../../../shared/sync/conflict-policy.js';
import type { Mutation, MutationResult } from '../../../shared/sync/mutations.js';
import { tableByName } from '../../../shared/schema/tables.js';
import type { TableDef } from '../../../shared/schema/table.js';
import type { Replica } from '../replica/open-replica.js';
import { rebuildOverlay, type RowKey } from './overlay.js';
import { alreadySeen, forgetSeen, keepSeen, visibleInSnapshot, type PgSnapshot } from './stream-seen.js';

type OutboxRow = {
  seq: number;
  id: string;
  tx: string | null;
  table_name: string;
  op: Mutation['op'];
  pk: string;
  values: string | null;
  base: string | null;
  created_at: string;
  state: 'queued' | 'awaiting_txid';
  txid: number | null;
};

const toMutation = (r: OutboxRow): Mutation => ({
  id: r.id,
  ...(r.tx ? { tx: r.tx } : {}),
  table: r.table_name,
  op: r.op,
  pk: JSON.parse(r.pk) as Record<string, unknown>,
  ...(r.values ? { values: JSON.parse(r.values) as Record<string, unknown> } : {}),
  ...(r.base ? { base: JSON.parse(r.base) as Mutation['base'] } : {}),
});

/** The id this replica's uploads carry, made once. */
export function clientId(db: Replica): string {
  const get = db.prepare(`SELECT value FROM sync_meta WHERE key = 'client_id'`).pluck();
  const existing = get.get() as string | undefined;
  if (existing) return existing;
  db.prepare(`INSERT OR IGNORE INTO sync_meta (key, value) VALUES ('client_id', ?)`).run(randomUUID());
  return get.get() as string;
}

/**
 * The oldest queued mutations, at most `limit`, never splitting a user action (`tx`): a group
 * larger than the limit goes alone.
 */
export function nextBatch(db: Replica, limit: number): Mutation[] {
  const rows = db
    .prepare(`SELECT * FROM sync_outbox WHERE state = 'queued' ORDER BY seq LIMIT ?`)
    .all(limit + 1) as OutboxRow[];
  if (rows.length > limit) {
    const lastTx = rows[limit]!.tx;
    // The row past the limit continues a group: end the batch before that group starts.
    if (lastTx !== null && rows[limit - 1]!.tx === lastTx) {
      let cut = limit - 1;
      while (cut > 0 && rows[cut - 1]!.tx === lastTx) cut--;
      if (cut > 0) return rows.slice(0, cut).map(toMutation);
      const whole = db
        .prepare(`SELECT * FROM sync_outbox WHERE state = 'queued' AND tx = ? ORDER BY seq`)
        .all(lastTx) as OutboxRow[];
      return whole.map(toMutation);
    }
    rows.length = limit;
  }
  return rows.map(toMutation);
}

const tableOf = (name: string): TableDef => {
  const t = tableByName(name);
  if (!t) throw new Error(`outbox row for unknown table ${name}`);
  return t;
};

/**
 * Applies the server's answers for uploaded mutations, in one transaction. Answers for mutations
 * no longer queued (a retry answered twice) are ignored: every step here is safe to repeat.
 */
export function recordResults(db: Replica, results: readonly MutationResult[], now = new Date()): void {
  const get = db.prepare(`SELECT * FROM sync_outbox WHERE id = ? AND state = 'queued'`);
  const awaiting = db.prepare(`UPDATE sync_outbox SET state = 'awaiting_txid', txid = ?, "values" = ? WHERE id = ?`);
  const remove = db.prepare(`DELETE FROM sync_outbox WHERE id = ?`);
  const inbox = db.prepare(
    `INSERT OR REPLACE INTO sync_conflicts (mutation_id, kind, table_name, op, pk, mine, base, conflicts, reason, created_at)
     VALUES (@id, @kind, @table, @op, @pk, @mine, @base, @conflicts, @reason, @at)`,
  );
  db.transaction(() => {
    for (const result of results) {
      const row = get.get(result.id) as OutboxRow | undefined;
      if (!row) continue;
      const table = tableOf(row.table_name);
      const pk = JSON.parse(row.pk) as RowKey;
      const entry = (kind: 'conflict' | 'rejected' | 'overridden') =>
        inbox.run({
          id: row.id,
          kind,
          table: row.table_name,
          op: row.op,
          pk: row.pk,
          mine: row.values,
          base: row.base,
          conflicts: result.conflicts ? JSON.stringify(result.conflicts) : null,
          reason: result.reason ? JSON.stringify(result.reason) : null,
          at: now.toISOString(),
        });
      if (result.status === 'rejected') {
        entry('rejected');
        remove.run(row.id);
        if (row.op === 'insert') rejectDependents(db, row, now);
      } else {
        // One entry per mutation: a decision to make, else news of a rule that set my value aside.
        const conflicts = result.conflicts ?? [];
        if (conflicts.some((c) => c.resolution === 'manual')) entry('conflict');
        else if (conflicts.some(overridesMine)) entry('overridden');
        // What the server now holds for the columns decided for it: show that, not what I typed.
        const values = row.values ? (JSON.parse(row.values) as Record<string, unknown>) : null;
        for (const c of result.conflicts ?? []) {
          if (!values) break;
          if (c.resolution === 'client') continue;
          if (c.resolution === 'merged') values[c.column] = c.result;
          else delete values[c.column];
        }
        // No txid: nothing was written, nothing to wait for. A txid already seen: its rows are here.
        if (result.txid === undefined || alreadySeen(db, row.table_name, result.txid)) remove.run(row.id);
        else awaiting.run(result.txid, values ? JSON.stringify(values) : null, row.id);
      }
      rebuildOverlay(db, table, pk);
    }
    forgetSeen(db);
  })();
}

/**
 * A rejected insert takes with it every queued write that needs its row: edits of that row and rows
 * pointing at it (any column holding its key), transitively. They would fail on the server anyway,
 * later and with a less helpful reason; here each gets one naming the insert it depended on.
 */
function rejectDependents(db: Replica, rejected: OutboxRow, now: Date): void {
  const queued = db.prepare(`SELECT * FROM sync_outbox WHERE state = 'queued' ORDER BY seq`);
  const remove = db.prepare(`DELETE FROM sync_outbox WHERE id = ?`);
  const inbox = db.prepare(
    `INSERT OR REPLACE INTO sync_conflicts (mutation_id, kind, table_name, op, pk, mine, base, conflicts, reason, created_at)
     VALUES (?, 'rejected', ?, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const todo: OutboxRow[] = [rejected];
  while (todo.length > 0) {
    const gone = todo.shift()!;
    const keys = Object.values(JSON.parse(gone.pk) as Record<string, unknown>).map(String);
    for (const r of queued.all() as OutboxRow[]) {
      const text = `${r.pk} ${r.values ?? ''}`;
      if (!keys.some((k) => text.includes(JSON.stringify(k)))) continue;
      const reason = {
        code: 'dependency_rejected',
        message: `Depends on ${gone.table_name} ${keys.join(', ')}, whose creation was rejected (mutation ${gone.id}).`,
      };
      inbox.run(r.id, r.table_name, r.op, r.pk, r.values, r.base, JSON.stringify(reason), now.toISOString());
      remove.run(r.id);
      rebuildOverlay(db, tableOf(r.table_name), JSON.parse(r.pk) as RowKey);
      if (r.op === 'insert') todo.push(r);
    }
  }
}

/**
 * The shape stream delivered these transactions for `table`, and maybe the snapshot a new shape
 * starts with: their mutations are confirmed, and the overlays they held are re-derived. While
 * mutations of the table are still unanswered, what the stream brought is also kept, for an answer
 * that arrives after its transaction (see the header). Call inside the transaction that applies the
 * stream's batch.
 */
export function confirmTxids(
  db: Replica,
  table: TableDef,
  txids: ReadonlySet<number>,
  snapshot: PgSnapshot | null = null,
): RowKey[] {
  if (txids.size === 0 && !snapshot) return [];
  const unanswered = db
    .prepare(`SELECT 1 FROM sync_outbox WHERE table_name = ? AND state = 'queued' LIMIT 1`)
    .pluck()
    .get(table.name);
  if (unanswered) keepSeen(db, table.name, txids, snapshot);
  else forgetSeen(db);
  const rows = db
    .prepare(`SELECT id, pk, txid FROM sync_outbox WHERE table_name = ? AND state = 'awaiting_txid'`)
    .all(table.name) as Pick<OutboxRow, 'id' | 'pk' | 'txid'>[];
  const remove = db.prepare(`DELETE FROM sync_outbox WHERE id = ?`);
  const keys: RowKey[] = [];
  for (const r of rows) {
    if (r.txid === null) continue;
    if (!txids.has(r.txid) && !(snapshot && visibleInSnapshot(r.txid, snapshot))) continue;
    remove.run(r.id);
    keys.push(JSON.parse(r.pk) as RowKey);
  }
  for (const k of keys) rebuildOverlay(db, table, k);
  return keys;
}

export type OutboxCounts = {
  queued: number;
  awaitingConfirmation: number;
  /** Open inbox entries that wait for a decision (keep mine / take theirs). */
  conflicts: number;
  rejected: number;
  /** Open entries telling of an edit a rule overrode: to be acknowledged, nothing to decide. */
  overridden: number;
};

/** What the sync centre shows: edits waiting to leave or to be confirmed, and the open inbox by kind. */
export function outboxCounts(db: Replica): Required<OutboxCounts> {
  const o = db
    .prepare(
      `SELECT count(*) FILTER (WHERE state = 'queued') AS queued,
              count(*) FILTER (WHERE state = 'awaiting_txid') AS awaiting FROM sync_outbox`,
    )
    .get() as { queued: number; awaiting: number };
  const i = db
    .prepare(
      `SELECT count(*) FILTER (WHERE kind = 'conflict') AS conflicts,
              count(*) FILTER (WHERE kind = 'rejected') AS rejected,
              count(*) FILTER (WHERE kind = 'overridden') AS overridden
       FROM sync_conflicts WHERE resolved_at IS NULL`,
    )
    .get() as { conflicts: number; rejected: number; overridden: number };
  return { queued: o.queued, awaitingConfirmation: o.awaiting, ...i };
}
