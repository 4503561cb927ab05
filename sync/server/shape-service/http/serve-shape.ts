/**
 * GET /v1/shape: validate, resolve the shape, serve the chunk after the requested offset, and in
 * live mode hold the request until the shape changes or the long-poll timeout passes.
 */
import type http from 'node:http';
import type pg from 'pg';
import type { ShapeServiceConfig } from '../config.js';
import { electricSchema, loadTableInfo } from '../inspector.js';
import { nextCursor } from '../protocol/cursor.js';
import {
  cacheControl,
  ELECTRIC_CURSOR,
  ELECTRIC_HANDLE,
  ELECTRIC_HAS_DATA,
  ELECTRIC_OFFSET,
  ELECTRIC_SCHEMA,
  ELECTRIC_UP_TO_DATE,
  etag,
  ifNoneMatchMatches,
  RETRY_AFTER,
} from '../protocol/headers.js';
import { invalidRequest, joinEncodedMessages, mustRefetch, upToDate } from '../protocol/messages.js';
import { formatOffset, isBeforeAll, NOW } from '../protocol/offset.js';
import { parseShapeRequest, type ShapeRequest } from '../protocol/params.js';
import {
  definitionKey,
  tableMatchesRelation,
  type ReplicatedRelation,
  type ShapeRegistry,
} from '../shapes/registry.js';
import type { Shape } from '../shapes/shape.js';
import { SnapshotNotReadyError, type StreamedRead } from '../storage/index.js';
import type { LogOffset, ShapeDefinition, TableInfo } from '../types.js';
import { rewriteParams, validateWhere } from '../where/validate-where.js';
import { json, send, streamJsonArray } from './respond.js';

export type ShapeContext = {
  config: ShapeServiceConfig;
  pool: pg.Pool;
  registry: ShapeRegistry;
  tables: TableCache;
  /** The highest commit LSN this service has processed. */
  serverLsn(): bigint;
  longPolls: { active: number };
};

/** Catalog lookups, cached until a schema change or truncate touches the table. */
export class TableCache {
  private readonly cache = new Map<string, TableInfo | undefined>();
  constructor(private readonly pool: pg.Pool) {}
  async get(schema: string, name: string): Promise<TableInfo | undefined> {
    const key = `${schema}\u0000${name}`;
    if (!this.cache.has(key))
      this.cache.set(key, await loadTableInfo(this.pool as unknown as pg.ClientBase, schema, name));
    return this.cache.get(key);
  }
  invalidate(oid: number): void {
    for (const [k, v] of this.cache) if (!v || v.oid === oid) this.cache.delete(k);
  }
  /** Forgets the table when replication describes it differently (a schema change the stream could not flag). */
  forgetIfOutdated(relation: ReplicatedRelation): void {
    for (const [k, v] of this.cache)
      if (v?.oid === relation.oid && !tableMatchesRelation(v, relation)) this.cache.delete(k);
  }
}

const badRequest = (req: http.IncomingMessage, res: http.ServerResponse, errors: Record<string, string[]>) =>
  send(req, res, 400, json(invalidRequest(errors)), { 'cache-control': 'no-store', 'surrogate-control': 'no-store' });

type Resolved = { def: ShapeDefinition; table: TableInfo; columns: string[] };

async function resolveDefinition(
  ctx: ShapeContext,
  r: ShapeRequest,
): Promise<{ ok: true; value: Resolved } | { ok: false; errors: Record<string, string[]> }> {
  const table = await ctx.tables.get(r.relation.schema, r.relation.name);
  if (!table) {
    return {
      ok: false,
      errors: {
        table: [
          `Table "${r.relation.schema}"."${r.relation.name}" does not exist. If the table name contains capitals or special characters you must quote it.`,
        ],
      },
    };
  }
  let columns = table.columns.map((c) => c.name);
  // Electric's checks, messages and order (sync-service shapes/shape.ex validate_selected_columns).
  const generatedIn = (names: readonly string[]) =>
    table.columns.filter((c) => c.generated && names.includes(c.name)).map((c) => c.name);
  const generatedMessage = (names: string[]) =>
    `The following columns are generated and cannot be included in the shape: ${names.join(', ')}`;
  if (r.columnNames) {
    const selected = r.columnNames;
    const missingPk = table.pk.filter((c) => !selected.includes(c));
    const known = new Set(columns);
    const unknown = selected.filter((c) => !known.has(c));
    const generated = generatedIn(selected);
    const message = missingPk.length
      ? `The list of columns must include all primary key columns, missing: ${missingPk.join(', ')}`
      : unknown.length
        ? `The following columns are not found on the table: ${unknown.join(', ')}`
        : generated.length
          ? generatedMessage(generated)
          : undefined;
    if (message) return { ok: false, errors: { columns: [message] } };
    const wanted = new Set(selected);
    columns = columns.filter((c) => wanted.has(c));
  } else {
    // Replication does not carry generated columns' values (Postgres < 18), so a shape cannot hold them.
    const generated = generatedIn(columns);
    if (generated.length) {
      const hint =
        ". You can exclude them from the shape by explicitly listing which columns to fetch in the 'columns' query param";
      return { ok: false, errors: { columns: [generatedMessage(generated) + hint] } };
    }
  }
  let where = r.where;
  let params = r.params;
  if (where !== undefined) {
    const v = validateWhere(where, params, table, { maxLength: ctx.config.maxWhereLength });
    if (!v.ok) return { ok: false, errors: { where: [v.message] } };
    // Live changes are filtered on replicated rows, which lack generated columns' values: such a
    // clause would filter the snapshot and the live tail differently.
    const generated = generatedIn(v.referencedColumns);
    if (generated.length) {
      const message = `The following columns are generated and cannot be used in the where clause: ${generated.join(', ')}`;
      return { ok: false, errors: { where: [message] } };
    }
    // Keep only the params the clause uses, renumbered 1..n: Postgres cannot type an unused one,
    // and two requests differing only in unused params are the same shape.
    if (v.referencedParams.length !== params.length || v.referencedParams.some((n, i) => n !== i + 1)) {
      where = rewriteParams(where, (n) => v.referencedParams.indexOf(n) + 1);
      params = v.referencedParams.map((n) => r.params[n - 1]!);
    }
  }
  const def: ShapeDefinition = {
    schema: table.schema,
    table: table.name,
    ...(where !== undefined ? { where } : {}),
    params,
    ...(r.columnNames ? { columns } : {}),
    replica: r.replica,
    log: r.log,
  };
  return { ok: true, value: { def, table, columns } };
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Runs a new shape's where clause once against its table, fetching nothing, so that what only
 * Postgres can find (a literal or parameter of the wrong type, an operator missing for the column
 * types) is a 400 now rather than a snapshot that fails, rotates the shape and sends every client
 * into an endless 409 loop.
 */
async function whereRunError(ctx: ShapeContext, def: ShapeDefinition): Promise<string | undefined> {
  if (def.where === undefined) return undefined;
  try {
    await ctx.pool.query(
      `select 1 from ${quoteIdent(def.schema)}.${quoteIdent(def.table)} where (\n${def.where}\n) limit 0`,
      [...def.params],
    );
    return undefined;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    // Data exceptions (22xxx) and syntax or type errors (42xxx) are the clause's; anything else is ours.
    if (typeof code === 'string' && (code.startsWith('22') || code.startsWith('42'))) return (e as Error).message;
    throw e;
  }
}

export async function serveShape(
  ctx: ShapeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const { config } = ctx;
  if (config.secret !== undefined) {
    const given = url.searchParams.get('secret') ?? url.searchParams.get('api_secret');
    if (given !== config.secret) return send(req, res, 401, json({ message: 'Unauthorized - Invalid API secret' }));
  }
  const parsed = parseShapeRequest(url.searchParams);
  if (!parsed.ok) return badRequest(req, res, parsed.errors);
  const r = parsed.value;
  // SSE framing is not implemented; answering SSE requests with long-poll JSON would leave the
  // official client silently waiting forever, so say so (the client's default is long polling).
  if (r.liveSse) return badRequest(req, res, { live_sse: ['is not supported by this server; use long polling'] });
  const resolved = await resolveDefinition(ctx, r);
  if (!resolved.ok) return badRequest(req, res, resolved.errors);
  const { def, table, columns } = resolved.value;
  if (!ctx.registry.find(def, table)) {
    const whereError = await whereRunError(ctx, def);
    if (whereError) return badRequest(req, res, { where: [whereError] });
  }

  const fresh = r.offset === NOW || isBeforeAll(r.offset);
  let shape: Shape | undefined;
  if (fresh) shape = await ctx.registry.resolve(def, table, columns);
  else {
    shape = ctx.registry.byHandle(r.handle!);
    if (!shape || shape.key !== definitionKey(def, table)) return mustRefetchResponse(ctx, req, res, resolved.value);
  }

  const common = (extra: Record<string, string>) => ({ [ELECTRIC_HANDLE]: shape!.handle, ...extra });
  const cache = (status: number) =>
    cacheControl({
      method: req.method ?? 'GET',
      status,
      offsetWasMinusOne: r.offset !== NOW && isBeforeAll(r.offset),
      live: r.live,
      sse: false,
      hasReplacementHandle: true,
      maxAge: config.cacheMaxAge,
      staleAge: config.cacheStaleAge,
    });

  if (r.offset === NOW) {
    const latest = shape.log.latestOffset;
    return send(req, res, 200, joinEncodedMessages([json(upToDate(ctx.serverLsn()))]), {
      ...common({
        [ELECTRIC_OFFSET]: formatOffset(latest),
        [ELECTRIC_HAS_DATA]: 'false',
        [ELECTRIC_SCHEMA]: electricSchema(table, columns),
      }),
      ...cache(200),
    });
  }
  const after: LogOffset = r.offset;

  if (r.live) {
    if (ctx.longPolls.active >= config.maxLongPolls) {
      return send(
        req,
        res,
        503,
        json({ code: 'concurrent_request_limit_exceeded', message: 'Too many live requests; retry shortly.' }),
        {
          [RETRY_AFTER]: String(5 + Math.floor(Math.random() * 5)),
          'cache-control': 'no-store',
        },
      );
    }
    ctx.longPolls.active++;
  }
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  try {
    const deadline = Date.now() + config.longPollTimeoutMs;
    for (;;) {
      if (shape.isRotated) {
        // Resolve again: a schema change rotated it, and the new shape must be built on the new table.
        const again = await resolveDefinition(ctx, r);
        if (!again.ok) return badRequest(req, res, again.errors);
        return mustRefetchResponse(ctx, req, res, again.value);
      }
      if (!isBeforeAll(after) && shape.log.isOutOfBounds(after)) {
        // The offset may belong to a transaction about to land; give it half a long-poll.
        const outOfBoundsDeadline = Date.now() + config.longPollTimeoutMs / 2;
        while (shape.log.isOutOfBounds(after) && Date.now() < outOfBoundsDeadline && !abort.signal.aborted) {
          await shape.waitForChange(outOfBoundsDeadline - Date.now(), abort.signal);
        }
        if (shape.log.isOutOfBounds(after)) return badRequest(req, res, { offset: ['out of bounds for this shape'] });
        continue;
      }
      let chunk: StreamedRead;
      try {
        chunk = shape.log.readStream(after);
      } catch (e) {
        if (!(e instanceof SnapshotNotReadyError)) throw e;
        if (abort.signal.aborted) return;
        await shape.waitForChange(1000, abort.signal);
        continue;
      }
      // Messages stream from disk into the response, so a 10 MiB chunk never sits in memory whole.
      const messages = chunk.messages[Symbol.asyncIterator]();
      const first = await messages.next();
      const empty = first.done === true;
      if (r.live && empty && chunk.atHead && Date.now() < deadline) {
        await messages.return?.();
        const changed = await shape.waitForChange(deadline - Date.now(), abort.signal);
        if (abort.signal.aborted) return;
        if (changed || shape.isRotated) continue;
      }
      const lsn = r.live ? (empty ? ctx.serverLsn() : chunk.end.tx) : maxBig(ctx.serverLsn(), chunk.end.tx);
      const timedOut = r.live && empty;
      const tag = etag(shape.handle, r.offset, chunk.end, timedOut ? String(process.hrtime.bigint()) : undefined);
      const headers: Record<string, string> = {
        ...common({ [ELECTRIC_OFFSET]: formatOffset(chunk.end), [ELECTRIC_HAS_DATA]: String(!empty), etag: tag }),
        ...cache(200),
        ...(chunk.atHead ? { [ELECTRIC_UP_TO_DATE]: '' } : {}),
        ...(r.live
          ? { [ELECTRIC_CURSOR]: nextCursor(r.cursor, config.longPollTimeoutMs) }
          : { [ELECTRIC_SCHEMA]: electricSchema(table, columns) }),
      };
      if (ifNoneMatchMatches(req.headers['if-none-match'], tag) || req.method === 'HEAD') {
        await messages.return?.();
        return send(req, res, ifNoneMatchMatches(req.headers['if-none-match'], tag) ? 304 : 200, undefined, headers);
      }
      const tail = chunk.atHead ? json(upToDate(lsn)) : undefined;
      return streamJsonArray(req, res, headers, first.done ? undefined : first.value, messages, tail);
    }
  } finally {
    if (r.live) ctx.longPolls.active--;
  }
}

const maxBig = (a: bigint, b: bigint) => (a > b ? a : b);

/** 409: the handle is unknown, rotated, or for another definition; point at the current one. */
async function mustRefetchResponse(
  ctx: ShapeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  r: Resolved,
) {
  const current = await ctx.registry.resolve(r.def, r.table, r.columns);
  send(req, res, 409, joinEncodedMessages([json(mustRefetch())]), {
    [ELECTRIC_HANDLE]: current.handle,
    ...cacheControl({
      method: req.method ?? 'GET',
      status: 409,
      offsetWasMinusOne: false,
      live: false,
      sse: false,
      hasReplacementHandle: true,
      maxAge: ctx.config.cacheMaxAge,
      staleAge: ctx.config.cacheStaleAge,
    }),
  });
}
