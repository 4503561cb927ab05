/**
 * Runs `fn` at most once per `intervalMs`, however often it is requested: the first request in a
 * quiet period runs on the next tick (so a burst of synchronous requests is one run), later ones
 * wait for the interval to pass. Used for events that can fire thousands of times a second during
 * an initial sync (sync status, replica changes).
 */
export class Coalescer {
  readonly #fn: () => void;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #lastRun = -Infinity;
  #closed = false;

  constructor(fn: () => void, intervalMs: number) {
    this.#fn = fn;
    this.#intervalMs = intervalMs;
  }

  request(): void {
    if (this.#timer || this.#closed) return;
    const wait = Math.max(0, this.#lastRun + this.#intervalMs - Date.now());
    this.#timer = setTimeout(() => this.#run(), wait);
  }

  /** Runs now if a run is pending (before a shutdown, or when a caller needs the latest state out). */
  flush(): void {
    if (!this.#timer) return;
    clearTimeout(this.#timer);
    this.#run();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    this.#timer = undefined;
    this.#lastRun = Date.now();
    this.#fn();
  }
}
