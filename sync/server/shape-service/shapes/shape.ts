/**
 * One live shape: its definition, its on-disk log, and the join between its initial snapshot and
 * the replication tail. While the snapshot runs, replicated transactions queue in memory; once it
 * is finished they are applied, skipping those the snapshot already saw (pg_current_snapshot
 * visibility), so the log has no gap and no duplicate.
 *
 *   snapshotting ──finish──▶ ready ──(truncate, schema change, DELETE, error)──▶ rotated
 *        └──────────────────────────────(error)──────────────────────────────────▲
 */
import { EventEmitter } from 'node:events';
import type { ShapeLog } from '../storage/index.js';
import type { ReplicatedTransaction, ShapeDefinition, TableInfo } from '../types.js';

export type ShapeStatus = 'snapshotting' | 'ready' | 'rotated';

/** xmin/xmax/xip of pg_current_snapshot(), reduced to the 32-bit xids pgoutput reports. */
export type SnapshotVisibility = { xmin: bigint; xmax: bigint; xip: ReadonlySet<bigint> };

const XID_MASK = (1n << 32n) - 1n;
export const toXid32 = (xid: string | bigint) => BigInt(xid) & XID_MASK;

/** True when the snapshot already contains the transaction's effects (protocol §13). */
export function visibleInSnapshot(xid: number, s: SnapshotVisibility): boolean {
  const x = BigInt(xid);
  if (x < s.xmin) return true;
  if (x >= s.xmax) return false;
  return !s.xip.has(x);
}

export class Shape {
  status: ShapeStatus = 'snapshotting';
  /** Why it was rotated, for logs. */
  rotationReason?: string;
  /** Transactions that arrived while the snapshot was running. */
  readonly pending: ReplicatedTransaction[] = [];
  /** Skip snapshot-visible transactions until the first one that is not (then never again). */
  filtering = true;
  visibility?: SnapshotVisibility;
  private readonly events = new EventEmitter();

  constructor(
    readonly handle: string,
    readonly key: string,
    readonly definition: ShapeDefinition,
    public table: TableInfo,
    readonly columns: readonly string[],
    readonly log: ShapeLog,
  ) {
    this.events.setMaxListeners(0);
  }

  get isRotated(): boolean {
    return this.status === 'rotated';
  }

  /** Wakes every request waiting on this shape: new data, snapshot progress, or rotation. */
  notify(): void {
    this.events.emit('change');
  }

  /** Resolves on the next notification, or false after `timeoutMs` / when `signal` aborts. */
  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.status === 'rotated') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(timer);
        this.events.off('change', onChange);
        signal?.removeEventListener('abort', onAbort);
        resolve(changed);
      };
      const onChange = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.events.on('change', onChange);
      signal?.addEventListener('abort', onAbort);
    });
  }
}
