/**
 * Uploads the outbox to `POST /v1/mutations`: oldest first, in batches that never split a user
 * action, one request at a time. Network failures and 5xx back off and retry the same batch; the
 * mutation ids make every retry safe (the server returns the stored result of anything it already
 * applied). A rejected mutation is answered like any other and never holds up the rest.
 */
import { mutationsResponseSchema, MAX_MUTATIONS_PER_REQUEST, type Mutation } from '../../../shared/sync/mutations.js';
import type { Replica } from '../replica/open-replica.js';
import { clientId, nextBatch, recordResults } from './outbox.js';

export type UploaderOptions = {
  db: Replica;
  serverUrl: string;
  getToken: () => Promise<string>;
  onUnauthorized?: (staleToken: string) => Promise<unknown>;
  fetchClient?: typeof fetch;
  batchSize?: number;
  retry?: { initialDelay: number; maxDelay: number; multiplier: number };
  /** Called after every answered batch (the UI re-reads the outbox and the inbox). */
  onUploaded?: (count: number) => void;
  onError?: (e: UploadError) => void;
  /** How long an upload may go unanswered before it counts as offline and is retried (default 60 s). */
  answerTimeoutMs?: number;
};

export const UPLOAD_ANSWER_TIMEOUT_MS = 60_000;

export class UploadError extends Error {
  constructor(
    readonly code: 'offline' | 'server_error' | 'refused' | 'bad_response',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UploadError';
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class Uploader {
  readonly #o: UploaderOptions;
  readonly #abort = new AbortController();
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(opts: UploaderOptions) {
    this.#o = opts;
  }

  /** Starts the upload loop; call `kick()` after local writes so they leave at once. */
  start(): this {
    this.#running ??= this.#loop();
    return this;
  }

  kick(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#running;
  }

  /** Uploads until the outbox has nothing queued (one pass; for tests and `--once`). */
  async drain(): Promise<void> {
    for (;;) {
      const batch = nextBatch(this.#o.db, this.#o.batchSize ?? 100);
      if (batch.length === 0 || this.#abort.signal.aborted) return;
      await this.#send(batch);
    }
  }

  async #loop(): Promise<void> {
    const { initialDelay, maxDelay, multiplier } = this.#o.retry ?? {
      initialDelay: 1_000,
      maxDelay: 30_000,
      multiplier: 2,
    };
    let delay = initialDelay;
    while (!this.#abort.signal.aborted) {
      try {
        await this.drain();
        delay = initialDelay;
        await new Promise<void>((resolve) => {
          // Also look again now and then: another connection may have written.
          const timer = setTimeout(resolve, 5_000);
          this.#wake = () => (clearTimeout(timer), resolve());
        });
        this.#wake = undefined;
      } catch (e) {
        this.#o.onError?.(e instanceof UploadError ? e : new UploadError('server_error', String(e), { cause: e }));
        await sleep(delay, this.#abort.signal);
        delay = Math.min(maxDelay, delay * multiplier);
      }
    }
  }

  async #send(batch: Mutation[]): Promise<void> {
    const { db, serverUrl } = this.#o;
    const body = JSON.stringify({ client_id: clientId(db), mutations: batch.slice(0, MAX_MUTATIONS_PER_REQUEST) });
    let token = await this.#o.getToken();
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await (this.#o.fetchClient ?? fetch)(`${serverUrl.replace(/\/+$/, '')}/v1/mutations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
          // An upload never answered (a connection accepted by something whose far end is gone) must
          // not stall the queue for ever; a retry after a late answer is safe (mutation ids).
          signal: AbortSignal.any([
            this.#abort.signal,
            AbortSignal.timeout(this.#o.answerTimeoutMs ?? UPLOAD_ANSWER_TIMEOUT_MS),
          ]),
        });
      } catch (e) {
        const timedOut = (e as Error).name === 'TimeoutError';
        throw new UploadError(
          'offline',
          timedOut
            ? `The server did not answer the upload within ${Math.round((this.#o.answerTimeoutMs ?? UPLOAD_ANSWER_TIMEOUT_MS) / 1000)} s.`
            : `The server could not be reached: ${(e as Error).message}`,
          { cause: e },
        );
      }
      if (res.status === 401 && attempt === 0 && this.#o.onUnauthorized) {
        await this.#o.onUnauthorized(token);
        token = await this.#o.getToken();
        continue;
      }
      if (res.status >= 500 || res.status === 429)
        throw new UploadError('server_error', `The server answered ${res.status}; retrying.`);
      if (!res.ok) {
        const text = await res.text();
        throw new UploadError('refused', `The server refused the upload (${res.status}): ${text.slice(0, 300)}`);
      }
      const parsed = mutationsResponseSchema.safeParse(await res.json());
      if (!parsed.success || parsed.data.results.length !== JSON.parse(body).mutations.length)
        throw new UploadError(
          'bad_response',
          'The server answered the upload with something this app does not understand.',
        );
      recordResults(db, parsed.data.results);
      this.#o.onUploaded?.(parsed.data.results.length);
      return;
    }
  }
}
