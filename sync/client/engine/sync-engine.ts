/**
 * The host side of the sync engine: starts it in a worker thread, so a 300k-row initial sync never
 * blocks the thread that draws windows, and turns its messages into typed events. Electron's main
 * process and the CLI both drive sync through this class only.
 *
 *   const engine = SyncEngine.start({ dbFile, serverUrl, auth: { kind: 'password', email, password } });
 *   engine.on('status', …); engine.on('changed', …); engine.on('live', …); engine.on('fatal', …);
 *   await engine.stop();
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { OutboxCounts } from '../local/outbox.js';
import type { TableSyncStatus } from '../sync-status.js';
import {
  engineEventSchema,
  engineStartSchema,
  type EngineIssue,
  type EngineStartOptions,
  type HostMessage,
} from './protocol.js';

export type SyncEngineEvents = {
  status: [TableSyncStatus];
  changed: [{ tables: string[] }];
  session: [EngineStartOptions['auth'] & { kind: 'tokens' }];
  live: [];
  outbox: [OutboxCounts];
  'upload-error': [EngineIssue];
  fatal: [EngineIssue];
  stopped: [];
};

export class InvalidEngineOptionsError extends Error {
  readonly code = 'bad_options';
  constructor(detail: string) {
    super(`Invalid sync engine options: ${detail}`);
    this.name = 'InvalidEngineOptionsError';
  }
}

/**
 * The engine thread's V8 old-generation cap, MiB. Memory is bounded by the largest response (the
 * server's chunk size, 10 MiB of JSON by default, needs roughly 100 MiB to parse), not by the table;
 * without a cap V8 defers collection and the thread grows with the sync (measured: +140 MiB between
 * 10% and 100% of 75k rows, against +46 MiB with a 128 MiB cap). Out of memory ends the engine with
 * a fatal `engine_crashed`, never the host.
 */
export const ENGINE_HEAP_LIMIT_MB = 256;

/** How long stop() waits for the engine to close the replica before terminating the thread. */
const STOP_GRACE_MS = 10_000;

/**
 * Under tsx (development, tests) the worker must load TypeScript: register tsx's hooks inside the
 * worker before importing the entry, since a worker does not inherit them. A built app runs the
 * compiled .js entry directly.
 */
function spawnWorker(data: EngineStartOptions): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './engine-worker.ts' : './engine-worker.js', import.meta.url);
  const resourceLimits = { maxOldGenerationSizeMb: ENGINE_HEAP_LIMIT_MB };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: data, resourceLimits });
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data, resourceLimits });
}

export class SyncEngine extends EventEmitter<SyncEngineEvents> {
  readonly #worker: Worker;
  readonly #statuses = new Map<string, TableSyncStatus>();
  #live = false;
  #outbox: OutboxCounts | undefined;
  #done: Promise<void>;

  private constructor(opts: EngineStartOptions) {
    super();
    this.#worker = spawnWorker(opts);
    let exited: () => void;
    this.#done = new Promise<void>((resolve) => (exited = resolve));
    this.#worker.on('message', (raw: unknown) => this.#onMessage(raw));
    this.#worker.on('error', (e) => this.emit('fatal', { code: 'engine_crashed', message: e.message }));
    this.#worker.on('exit', () => {
      exited();
      this.emit('stopped');
    });
  }

  /** Validates the options here, so a mistake throws at the call site instead of inside the thread. */
  static start(opts: EngineStartOptions): SyncEngine {
    const parsed = engineStartSchema.safeParse(opts);
    if (!parsed.success) throw new InvalidEngineOptionsError(parsed.error.message);
    return new SyncEngine(parsed.data);
  }

  /** The latest status of every table reported so far. */
  statuses(): TableSyncStatus[] {
    return [...this.#statuses.values()];
  }

  /** True once every table has applied an up-to-date in this run. */
  get live(): boolean {
    return this.#live;
  }

  /** The latest outbox and inbox counts the engine reported. */
  get outbox(): OutboxCounts | undefined {
    return this.#outbox;
  }

  /** Local writes were committed on another connection (the app's): upload them now. */
  kick(): void {
    this.#post({ type: 'kick' });
  }

  /** Stops syncing; resolves once the worker has closed the replica and ended. Safe to call twice. */
  async stop(): Promise<void> {
    this.#post({ type: 'stop' });
    const timer = setTimeout(() => void this.#worker.terminate(), STOP_GRACE_MS);
    await this.#done;
    clearTimeout(timer);
  }

  /** Resolves when the engine has ended (after stop() or a fatal error). */
  whenStopped(): Promise<void> {
    return this.#done;
  }

  #post(msg: HostMessage): void {
    try {
      this.#worker.postMessage(msg);
    } catch {
      // Already gone: nothing to stop.
    }
  }

  #onMessage(raw: unknown): void {
    const parsed = engineEventSchema.safeParse(raw);
    if (!parsed.success) {
      this.emit('fatal', { code: 'bad_message', message: 'The sync engine sent a malformed message.' });
      return;
    }
    const e = parsed.data;
    switch (e.type) {
      case 'status':
        this.#statuses.set(e.status.table, e.status);
        return void this.emit('status', e.status);
      case 'changed':
        return void this.emit('changed', { tables: e.tables });
      case 'session':
        return void this.emit('session', { kind: 'tokens', tokens: e.tokens });
      case 'live':
        this.#live = true;
        return void this.emit('live');
      case 'outbox':
        this.#outbox = e.counts;
        return void this.emit('outbox', e.counts);
      case 'upload-error':
        return void this.emit('upload-error', e.error);
      case 'fatal':
        return void this.emit('fatal', e.error);
      case 'stopped':
        return; // the exit event follows
    }
  }
}
