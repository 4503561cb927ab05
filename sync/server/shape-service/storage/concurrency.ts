/** The two coordination primitives the log needs between its writer, its readers and close(). */

/** Runs tasks one at a time in call order, so appends never interleave; a failed task does not block the next. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once everything queued so far has settled. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

/**
 * Lets reads share file handles with close(): each read holds the gate for one positional read only,
 * so close() waits a few milliseconds at most and a reader that abandons a stream never blocks it.
 */
export class ReadGate {
  private active = 0;
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(private readonly onClosed: () => Error) {}

  async hold<T>(read: () => Promise<T>): Promise<T> {
    if (this.closed) throw this.onClosed();
    this.active++;
    try {
      return await read();
    } finally {
      this.active--;
      if (this.active === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Refuses new reads and resolves when the ones in flight are done. */
  close(): Promise<void> {
    this.closed = true;
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
