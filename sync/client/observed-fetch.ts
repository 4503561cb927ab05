/**
 * A fetch for the shape stream that reports what the sync centre needs and the client does not
 * expose: whether the network answered, the electric-schema header, and how many bytes arrived.
 */
export type FetchObserver = {
  /** The request failed without a usable answer (network error, 5xx, 429). */
  onUnreachable(error: Error): void;
  /** The server answered (2xx, 304, 409). 4xx refusals go to the stream's onError instead. */
  onAnswered(): void;
  onSchema(schemaJson: string): void;
  /** The gateway's count of the shape's rows, sent with a shape's first response (fieldline-total-rows). */
  onTotal(rows: number): void;
  onBytes(n: number): void;
};

export class ServerUnavailableError extends Error {
  readonly code = 'server_unavailable';
  constructor(readonly status: number) {
    super(`The sync server answered ${status}; retrying with backoff.`);
    this.name = 'ServerUnavailableError';
  }
}

/**
 * A request whose answer has not begun within this long counts as unreachable. Live long-polls have
 * the client's own timeout; the others had none, and a connection that is accepted but never answered
 * (a middlebox whose backend is gone; seen with undici when the peer closes before answering) left a
 * table in `initial` forever instead of `offline`.
 */
export const ANSWER_TIMEOUT_MS = 30_000;

export class AnswerTimeoutError extends Error {
  readonly code = 'answer_timeout';
  constructor(readonly ms: number) {
    super(`The sync server did not answer within ${Math.round(ms / 1000)} s; retrying with backoff.`);
    this.name = 'AnswerTimeoutError';
  }
}

const isLive = (input: Parameters<typeof fetch>[0]) =>
  new URL(input instanceof Request ? input.url : String(input)).searchParams.get('live') === 'true';

const SCHEMA_HEADER = 'electric-schema';
const TOTAL_ROWS_HEADER = 'fieldline-total-rows';

export function observedFetch(
  base: typeof fetch,
  signal: AbortSignal,
  observer: FetchObserver,
  { answerTimeoutMs = ANSWER_TIMEOUT_MS }: { answerTimeoutMs?: number } = {},
): typeof fetch {
  return async (input, init) => {
    let res: Response;
    const deadline = new AbortController();
    const timer = isLive(input)
      ? undefined
      : setTimeout(() => deadline.abort(new AnswerTimeoutError(answerTimeoutMs)), answerTimeoutMs);
    try {
      const signals = [deadline.signal, ...(init?.signal ? [init.signal] : [])];
      res = await base(input, { ...init, signal: AbortSignal.any(signals) });
    } catch (e) {
      // Closing the consumer aborts requests; that is not the network going away.
      if (!signal.aborted) observer.onUnreachable(e instanceof Error ? e : new Error(String(e)));
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (res.status >= 500 || res.status === 429) observer.onUnreachable(new ServerUnavailableError(res.status));
    else if (res.ok || res.status === 304 || res.status === 409) observer.onAnswered();
    const schema = res.headers.get(SCHEMA_HEADER);
    if (schema) observer.onSchema(schema);
    const total = Number(res.headers.get(TOTAL_ROWS_HEADER) ?? NaN);
    if (Number.isSafeInteger(total) && total >= 0) observer.onTotal(total);
    if (res.status !== 200 || !res.body) return res;
    // Count bytes as the client reads them, without buffering a second copy.
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          observer.onBytes(chunk.byteLength);
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
