/**
 * All shapes of one service: one shape (one handle) per normalised definition, shared by every
 * client; handles are never reused, even across restarts (hash of the definition + microseconds).
 * It feeds each replicated transaction to the shapes of the tables it touched and rotates shapes
 * whose table was truncated or changed schema. A shape's definition sits next to its log, so a
 * restart resumes every log it can trust and rotates the rest.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { snapshotEnd, replicatedChange } from '../protocol/messages.js';
import { logOffset } from '../protocol/offset.js';
import { runSnapshot } from '../snapshot.js';
import { ShapeLog, type LogEntry } from '../storage/index.js';
import type { ReplicatedChange, ReplicatedTransaction, ShapeDefinition, TableInfo, TextRow } from '../types.js';
import { convertChange, type WhereMatch } from './convert-change.js';
import { Shape, toXid32, visibleInSnapshot } from './shape.js';
import { evaluateWheres } from './where-evaluator.js';

export type RegistryOptions = {
  pool: pg.Pool;
  storageDir: string;
  chunkBytes: number;
  /** Adds the table to the publication (and REPLICA IDENTITY FULL) before its snapshot starts. */
  prepareTable: (schema: string, name: string) => Promise<void>;
  log?: (msg: string) => void;
};

type StoredDefinition = {
  handle: string;
  key: string;
  definition: ShapeDefinition;
  table: TableInfo;
  columns: string[];
};

/** A table as the replication stream last described it (its latest pgoutput Relation message). */
export type ReplicatedRelation = {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly { readonly name: string; readonly typeOid: number; readonly typeMod: number }[];
};

/**
 * Whether changes described by `relation` fit shapes built on `table` (catalog facts): same names,
 * and the same replicated columns (generated ones are never replicated) with the same types.
 */
export function tableMatchesRelation(table: TableInfo, relation: ReplicatedRelation): boolean {
  if (table.schema !== relation.schema || table.name !== relation.table) return false;
  const replicated = table.columns.filter((c) => !c.generated);
  return (
    replicated.length === relation.columns.length &&
    replicated.every((c, i) => {
      const r = relation.columns[i]!;
      return r.name === c.name && r.typeOid >>> 0 === c.typeOid >>> 0 && r.typeMod === c.typeMod;
    })
  );
}

export function definitionKey(d: ShapeDefinition, table: TableInfo): string {
  const columns = d.columns ? [...d.columns].sort() : null;
  return JSON.stringify([table.oid, d.schema, d.table, d.where ?? null, d.params, columns, d.replica, d.log]);
}

export class ShapeRegistry {
  private readonly byKey = new Map<string, Shape>();
  private readonly byHandleMap = new Map<string, Shape>();
  private readonly creating = new Map<string, Promise<Shape>>();
  private lastMicros = 0;
  private readonly dir: string;

  constructor(private readonly opts: RegistryOptions) {
    this.dir = path.join(opts.storageDir, 'shapes');
  }

  get size(): number {
    return this.byKey.size;
  }

  all(): Shape[] {
    return [...this.byKey.values()];
  }

  /** The current shape for a definition, if there is one. */
  find(definition: ShapeDefinition, table: TableInfo): Shape | undefined {
    return this.byKey.get(definitionKey(definition, table));
  }

  byHandle(handle: string): Shape | undefined {
    return this.byHandleMap.get(handle);
  }

  /**
   * Loads stored shapes. `trustLogs` is false when the replication slot had to be created anew:
   * changes may have been missed, so every stored shape is rotated.
   */
  async load(trustLogs: boolean): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    for (const file of (await fs.readdir(this.dir)).filter((f) => f.endsWith('.json'))) {
      const handle = file.slice(0, -5);
      const logDir = path.join(this.dir, handle);
      const stored = await fs
        .readFile(path.join(this.dir, file), 'utf8')
        .then((t) => JSON.parse(t) as StoredDefinition)
        .catch(() => undefined);
      const opened =
        stored && trustLogs ? await ShapeLog.open(logDir, { chunkBytes: this.opts.chunkBytes }) : undefined;
      if (!stored || opened?.kind !== 'opened' || !opened.log.isSnapshotFinished) {
        if (opened?.kind === 'opened') await opened.log.close();
        this.opts.log?.(
          `shape ${handle}: not resumed (${opened?.kind === 'untrusted' ? opened.reason : 'no trustworthy log'})`,
        );
        await this.removeFiles(handle);
        continue;
      }
      const shape = new Shape(handle, stored.key, stored.definition, stored.table, stored.columns, opened.log);
      const meta = opened.log.snapshotMeta as { xmin: string; xmax: string; xip_list: string[] };
      shape.visibility = {
        xmin: toXid32(meta.xmin),
        xmax: toXid32(meta.xmax),
        xip: new Set(meta.xip_list.map(toXid32)),
      };
      shape.status = 'ready';
      this.track(shape);
    }
  }

  /** The shape for a definition, created (and its snapshot started) when there is none. */
  resolve(definition: ShapeDefinition, table: TableInfo, columns: readonly string[]): Promise<Shape> {
    const key = definitionKey(definition, table);
    const existing = this.byKey.get(key);
    if (existing) return Promise.resolve(existing);
    // Concurrent first requests for one definition must share one shape, not race to create two.
    let creating = this.creating.get(key);
    if (!creating) {
      creating = this.create(key, definition, table, columns).finally(() => this.creating.delete(key));
      this.creating.set(key, creating);
    }
    return creating;
  }

  private async create(
    key: string,
    definition: ShapeDefinition,
    table: TableInfo,
    columns: readonly string[],
  ): Promise<Shape> {
    const handle = this.newHandle(key);
    await this.opts.prepareTable(table.schema, table.name);
    const log = await ShapeLog.create(path.join(this.dir, handle), { chunkBytes: this.opts.chunkBytes });
    const stored: StoredDefinition = { handle, key, definition, table, columns: [...columns] };
    await fs.writeFile(path.join(this.dir, `${handle}.json`), JSON.stringify(stored));
    const shape = new Shape(handle, key, definition, table, columns, log);
    this.track(shape);
    void this.snapshot(shape);
    return shape;
  }

  /** Ends a shape: readers get 409 and must refetch under a new handle. */
  async rotate(shape: Shape, reason: string): Promise<void> {
    if (shape.status === 'rotated') return;
    shape.status = 'rotated';
    shape.rotationReason = reason;
    this.byKey.delete(shape.key);
    this.byHandleMap.delete(shape.handle);
    this.opts.log?.(`shape ${shape.handle} rotated: ${reason}`);
    shape.notify();
    await shape.log.destroy().catch(() => {});
    await this.removeFiles(shape.handle);
  }

  /**
   * Applies one replicated transaction to every shape it concerns. Resolves once all are stored.
   * `relationOf` gives the stream's current description of a table: the stream itself only flags
   * a schema change against a Relation message it saw before, so a table whose first Relation
   * message (on this connection, or since a restart) already has a new schema is caught here.
   */
  async applyTransaction(
    tx: ReplicatedTransaction,
    relationOf?: (oid: number) => ReplicatedRelation | undefined,
  ): Promise<void> {
    const shapes = [...this.byKey.values()];
    for (const rel of tx.changedRelations) {
      for (const s of shapes.filter((s) => s.table.oid === rel.oid)) await this.rotate(s, 'table schema changed');
    }
    if (relationOf) {
      const oids = new Set(tx.changes.flatMap((c) => (c.kind === 'truncate' ? [] : [c.relation.oid])));
      for (const s of shapes.filter((s) => oids.has(s.table.oid) && s.status !== 'rotated')) {
        const relation = relationOf(s.table.oid);
        if (relation && !tableMatchesRelation(s.table, relation)) await this.rotate(s, 'table schema changed');
      }
    }
    for (const change of tx.changes) {
      if (change.kind !== 'truncate') continue;
      const oids = new Set(change.relations.map((r) => r.oid));
      for (const s of shapes.filter((s) => oids.has(s.table.oid))) await this.rotate(s, 'table truncated');
    }
    const touched = new Set(tx.changes.flatMap((c) => (c.kind === 'truncate' ? [] : [c.relation.oid])));
    for (const oid of touched) {
      const onTable = [...this.byKey.values()].filter((s) => s.table.oid === oid);
      for (const s of onTable) if (s.status === 'snapshotting') s.pending.push(tx);
      const ready = onTable.filter((s) => s.status === 'ready');
      if (!ready.length) continue;
      // One evaluation for every shape of the table: 500 shapes cost one query, not 500.
      const changes = changesOf(tx, oid);
      const matches = await this.whereMatches(ready, ready[0]!.table, changes);
      // Shapes have separate logs, so their appends (and fsyncs) can overlap.
      await Promise.all(ready.map((s) => this.applyToShape(s, tx, matches.get(s))));
    }
  }

  async close(): Promise<void> {
    for (const shape of this.byKey.values()) await shape.log.close();
    this.byKey.clear();
    this.byHandleMap.clear();
  }

  private track(shape: Shape): void {
    this.byKey.set(shape.key, shape);
    this.byHandleMap.set(shape.handle, shape);
  }

  /** `<hash of the definition>-<unix microseconds>`, strictly increasing within this process. */
  private newHandle(key: string): string {
    const hash = parseInt(crypto.createHash('sha256').update(key).digest('hex').slice(0, 8), 16);
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    return `${hash}-${this.lastMicros}`;
  }

  private async removeFiles(handle: string): Promise<void> {
    await fs.rm(path.join(this.dir, handle), { recursive: true, force: true });
    await fs.rm(path.join(this.dir, `${handle}.json`), { force: true });
  }

  private async snapshot(shape: Shape): Promise<void> {
    const client = await this.opts.pool.connect();
    try {
      await shape.log.beginSnapshot();
      let sinceNotify = 0;
      const position =
        shape.definition.log === 'changes_only'
          ? await runSnapshot(
              client,
              { table: shape.table, columns: shape.columns, where: 'false', params: [] },
              () => {},
            )
          : await runSnapshot(
              client,
              {
                table: shape.table,
                columns: shape.columns,
                where: shape.definition.where,
                params: shape.definition.params,
              },
              async (m) => {
                await shape.log.appendSnapshotMessage(m);
                // Let readers waiting for the first chunks go as soon as they close.
                if (++sinceNotify >= 500) {
                  sinceNotify = 0;
                  shape.notify();
                }
              },
            );
      await shape.log.appendSnapshotMessage(
        JSON.stringify(snapshotEnd(position.xmin, position.xmax, position.xipList)),
      );
      await shape.log.finishSnapshot({ xmin: position.xmin, xmax: position.xmax, xip_list: position.xipList });
      shape.visibility = {
        xmin: toXid32(position.xmin),
        xmax: toXid32(position.xmax),
        xip: new Set(position.xipList.map(toXid32)),
      };
      // Transactions that arrived meanwhile; more may queue while these are written.
      while (shape.pending.length) await this.applyToShape(shape, shape.pending.shift()!);
      if (shape.status === 'snapshotting') shape.status = 'ready';
      shape.notify();
    } catch (e) {
      this.opts.log?.(`snapshot of ${shape.handle} failed: ${(e as Error).stack}`);
      await this.rotate(shape, `snapshot failed: ${(e as Error).message}`);
    } finally {
      client.release();
    }
  }

  private async applyToShape(shape: Shape, tx: ReplicatedTransaction, precomputed?: WhereMatch[]): Promise<void> {
    if (shape.status === 'rotated') return;
    if (shape.filtering && shape.visibility) {
      if (visibleInSnapshot(tx.xid, shape.visibility)) return;
      shape.filtering = false;
    }
    const relevant = changesOf(tx, shape.table.oid);
    const matches = precomputed ?? (await this.whereMatches([shape], shape.table, relevant)).get(shape)!;
    const view = { table: shape.table, columns: shape.columns, replica: shape.definition.replica };
    const converted = relevant.flatMap(({ change, index }, i) =>
      convertChange(view, change, matches[i]!).map((sc) => ({ sc, offset: logOffset(tx.lsn, index * 2 + sc.opShift) })),
    );
    if (!converted.length) return;
    const entries: LogEntry[] = converted.map(({ sc, offset }, i) => ({
      offset,
      json: JSON.stringify(
        replicatedChange({
          operation: sc.operation,
          relation: { schema: shape.table.schema, table: shape.table.name },
          offset,
          xid: tx.xid,
          key: sc.key,
          value: sc.value,
          ...(sc.oldValue ? { oldValue: sc.oldValue } : {}),
          ...(sc.keyChangeTo ? { keyChangeTo: sc.keyChangeTo } : {}),
          ...(sc.keyChangeFrom ? { keyChangeFrom: sc.keyChangeFrom } : {}),
          // `last` marks the transaction's final change for this shape (protocol §9).
          ...(i === converted.length - 1 ? { last: true } : {}),
        }),
      ),
    }));
    const result = await shape.log.appendTransaction(entries);
    if (result.appended) shape.notify();
  }

  /** Where-matches of every change for several shapes of one table, in one Postgres query. */
  private async whereMatches(
    shapes: readonly Shape[],
    table: TableInfo,
    changes: readonly IndexedChange[],
  ): Promise<Map<Shape, WhereMatch[]>> {
    const out = new Map<Shape, WhereMatch[]>();
    const filtered = shapes.filter((s) => s.definition.where !== undefined);
    for (const s of shapes)
      if (!s.definition.where)
        out.set(
          s,
          changes.map(() => ({ old: true, new: true })),
        );
    if (!filtered.length) return out;
    const rows: TextRow[] = [];
    const slots = changes.map(({ change: c }) => ({
      oldAt: c.kind === 'insert' ? -1 : rows.push(c.oldRow) - 1,
      newAt: c.kind === 'delete' ? -1 : rows.push(c.newRow) - 1,
    }));
    const client = await this.opts.pool.connect();
    try {
      const probes = filtered.map((s) => ({ where: s.definition.where!, params: s.definition.params }));
      const results = await evaluateWheres(client, table, probes, rows);
      filtered.forEach((s, p) => {
        const r = results[p]!;
        out.set(
          s,
          slots.map(({ oldAt, newAt }) => ({ old: oldAt >= 0 && r[oldAt]!, new: newAt >= 0 && r[newAt]! })),
        );
      });
      return out;
    } finally {
      client.release();
    }
  }
}

type DataChange = Exclude<ReplicatedChange, { kind: 'truncate' }>;
type IndexedChange = { change: DataChange; index: number };

/** The transaction's changes to one table, with their positions in the whole transaction. */
const changesOf = (tx: ReplicatedTransaction, oid: number): IndexedChange[] =>
  tx.changes
    .map((change, index) => ({ change, index }))
    .filter((c): c is IndexedChange => c.change.kind !== 'truncate' && c.change.relation.oid === oid);
