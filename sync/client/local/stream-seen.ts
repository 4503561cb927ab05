/**
 * What the shape stream has already brought of a table, for uploads whose answer has not arrived:
 * the txids of the transactions it delivered (sync_seen_txids) and the last snapshot it served
 * (sync_seen_snapshots). An answer whose txid is among them is confirmed at once (see outbox.ts).
 * Both are kept per table only while that table has queued mutations.
 *
 * A snapshot is pg_current_snapshot() of the query that read the shape's rows, as the stream's
 * `snapshot-end` reports it: it contains a transaction committed before it was taken (xid below
 * xmin, or below xmax and not in progress), and no later one. Results carry 32-bit xids, the
 * snapshot 64-bit ones (epoch-qualified): an xid is widened to the 64-bit id nearest xmax, exact for
 * any transaction less than 2^31 ids away from the snapshot.
 */
import type { Replica } from '../replica/open-replica.js';

export type PgSnapshot = { xmin: string; xmax: string; xip_list: readonly string[] };

const WRAP = 1n << 32n;
const HALF = 1n << 31n;

/** Whether the transaction `xid` (32-bit) is contained in the snapshot. */
export function visibleInSnapshot(xid: number, s: PgSnapshot): boolean {
  const xmax = BigInt(s.xmax);
  let diff = BigInt(xid) - (xmax % WRAP);
  if (diff >= HALF) diff -= WRAP;
  else if (diff < -HALF) diff += WRAP;
  const full = xmax + diff;
  if (full < BigInt(s.xmin)) return true;
  if (full >= xmax) return false;
  return !s.xip_list.some((x) => BigInt(x) === full);
}

const statements = new WeakMap<Replica, ReturnType<typeof prepare>>();
const prepare = (db: Replica) => ({
  keepTxid: db.prepare(`INSERT OR IGNORE INTO sync_seen_txids (table_name, txid) VALUES (?, ?)`),
  keepSnapshot: db.prepare(
    `INSERT OR REPLACE INTO sync_seen_snapshots (table_name, xmin, xmax, xip_list) VALUES (?, ?, ?, ?)`,
  ),
  txid: db.prepare(`SELECT 1 FROM sync_seen_txids WHERE table_name = ? AND txid = ?`).pluck(),
  snapshot: db.prepare(`SELECT xmin, xmax, xip_list FROM sync_seen_snapshots WHERE table_name = ?`),
  forget: ['sync_seen_txids', 'sync_seen_snapshots'].map((t) =>
    db.prepare(`DELETE FROM ${t} WHERE table_name NOT IN (SELECT table_name FROM sync_outbox WHERE state = 'queued')`),
  ),
});
const stmts = (db: Replica) => {
  let s = statements.get(db);
  if (!s) statements.set(db, (s = prepare(db)));
  return s;
};

/** Keeps what the stream brought of `table` (call while it has queued mutations). */
export function keepSeen(db: Replica, table: string, txids: ReadonlySet<number>, snapshot: PgSnapshot | null): void {
  const s = stmts(db);
  for (const t of txids) s.keepTxid.run(table, t);
  if (snapshot) s.keepSnapshot.run(table, snapshot.xmin, snapshot.xmax, JSON.stringify(snapshot.xip_list));
}

/** Whether the stream has already brought the transaction `txid` of `table`. */
export function alreadySeen(db: Replica, table: string, txid: number): boolean {
  const s = stmts(db);
  if (s.txid.get(table, txid)) return true;
  const snap = s.snapshot.get(table) as { xmin: string; xmax: string; xip_list: string } | undefined;
  return snap !== undefined && visibleInSnapshot(txid, { ...snap, xip_list: JSON.parse(snap.xip_list) as string[] });
}

/** Forgets what no queued mutation can need any more. */
export function forgetSeen(db: Replica): void {
  for (const forget of stmts(db).forget) forget.run();
}
