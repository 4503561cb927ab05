/**
 * Helpers for the end-to-end tests that drive the shape service with the official client
 * (@electric-sql/client): service configs with unique replication stream ids, streams that record
 * every request and message, and waits on a materialised Shape.
 */
import crypto from 'node:crypto';
import { Shape, ShapeStream, type Message, type Offset, type Row, type ShapeStreamOptions } from '@electric-sql/client';
import type { ShapeServiceConfig } from './config.js';

/** Slot names are cluster-wide: every service instance in the test run needs its own stream id. */
export const uniqueStreamId = (prefix: string): string => `${prefix}_${crypto.randomBytes(5).toString('hex')}`;

/** Electric's CI settings (10 000-byte chunks, max-age 1, stale-age 3), a short long-poll, deletion on. */
export function testConfig(
  databaseUrl: string,
  storageDir: string,
  overrides: Partial<ShapeServiceConfig> = {},
): ShapeServiceConfig {
  return {
    databaseUrl,
    port: 0,
    host: '127.0.0.1',
    secret: undefined,
    chunkBytes: 10_000,
    cacheMaxAge: 1,
    cacheStaleAge: 3,
    longPollTimeoutMs: 3_000,
    allowDelete: true,
    storageDir,
    streamId: uniqueStreamId('t'),
    maxLongPolls: 100,
    maxWhereLength: 10_000,
    ...overrides,
  };
}

export type RecordedRequest = { url: URL; status: number; headers: Headers };

export type OpenedShape = {
  stream: ShapeStream;
  shape: Shape;
  /** Every message the stream published, in order (including synthetic must-refetch). */
  messages: Message<Row>[];
  /** Every HTTP exchange the stream made (status 0: the request failed without a response). */
  requests: RecordedRequest[];
  /** Every request URL, recorded when sent (a held long poll is here before it is in `requests`). */
  sent: URL[];
  errors: unknown[];
  close(): void;
};

export type OpenOptions = {
  offset?: Offset;
  handle?: string;
  log?: 'full' | 'changes_only';
  /** Called on errors; default: record and stop (no retry). */
  onError?: ShapeStreamOptions['onError'];
};

/**
 * A ShapeStream plus Shape on `baseUrl`/v1/shape with `params`, recording requests and messages.
 * Network retries are fast (100 ms, at most 500 ms) so service restarts do not slow the tests.
 */
export function openShape(baseUrl: string, params: Record<string, unknown>, opts: OpenOptions = {}): OpenedShape {
  const requests: RecordedRequest[] = [];
  const sent: URL[] = [];
  const messages: Message<Row>[] = [];
  const errors: unknown[] = [];
  const abort = new AbortController();
  const fetchClient: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    sent.push(url);
    try {
      const res = await fetch(input, init);
      requests.push({ url, status: res.status, headers: res.headers });
      return res;
    } catch (e) {
      requests.push({ url, status: 0, headers: new Headers() });
      throw e;
    }
  };
  const stream = new ShapeStream({
    url: `${baseUrl}/v1/shape`,
    params: params as ShapeStreamOptions['params'],
    signal: abort.signal,
    fetchClient,
    backoffOptions: { initialDelay: 100, maxDelay: 500, multiplier: 1.5 },
    ...(opts.offset !== undefined ? { offset: opts.offset } : {}),
    ...(opts.handle !== undefined ? { handle: opts.handle } : {}),
    ...(opts.log !== undefined ? { log: opts.log } : {}),
    onError:
      opts.onError ??
      ((e) => {
        errors.push(e);
      }),
  });
  stream.subscribe(
    (batch) => {
      messages.push(...batch);
    },
    (e) => errors.push(e),
  );
  const shape = new Shape(stream);
  return {
    stream,
    shape,
    messages,
    requests,
    sent,
    errors,
    close() {
      shape.unsubscribeAll();
      stream.unsubscribeAll();
      abort.abort();
    },
  };
}

/** Polls `check` until it returns a truthy value; rejects with `describe()` after `ms`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  ms = 15_000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once the shape is up to date and its rows satisfy `ok`. */
export async function until(shape: Shape, ok: (rows: Row[]) => boolean, ms = 15_000): Promise<Row[]> {
  return (await waitFor<Row[] | undefined>(
    () => (shape.isUpToDate && ok(shape.currentRows) ? shape.currentRows : undefined),
    ms,
    () => `; rows: ${stringify(shape.currentRows).slice(0, 1000)}`,
  ))!;
}

/** JSON with bigints (as `123n`), NaN and infinities visible. */
export function stringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
}

/** Rows sorted by a key column, for order-insensitive comparison. */
export const sortBy = <T extends Row>(rows: readonly T[], key: string): T[] =>
  [...rows].sort((a, b) => {
    const x = a[key] as string | number | bigint;
    const y = b[key] as string | number | bigint;
    return x < y ? -1 : x > y ? 1 : 0;
  });

/** Change messages only (inserts, updates, deletes). */
export const changes = (messages: readonly Message<Row>[]) =>
  messages.filter((m): m is Extract<Message<Row>, { key: string }> => 'key' in m);

export const controls = (messages: readonly Message<Row>[]) =>
  messages.flatMap((m) => ('control' in m.headers ? [m.headers.control as string] : []));
