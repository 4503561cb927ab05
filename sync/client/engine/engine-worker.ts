/**
 * Worker-thread entry of the sync engine. The start options arrive as workerData; afterwards the
 * host only sends `stop`. Every event goes back over the port (see protocol.ts). After `fatal` or
 * `stop` the replica is closed, `stopped` is sent and the thread ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { issueOf, startEngine, type RunningEngine } from './engine.js';
import { engineStartSchema, hostMessageSchema, type EngineEvent } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('engine-worker.ts runs only as a worker thread; use SyncEngine.start().');

let engine: RunningEngine | undefined;
let starting = true;
let stopRequested = false;
let finished = false;

function finish(): void {
  if (finished) return;
  finished = true;
  engine?.stop();
  port!.postMessage({ type: 'stopped' } satisfies EngineEvent);
  // Backoff timers of aborted streams may still be pending; the replica is closed, so end now.
  setImmediate(() => process.exit(0));
}

function emit(e: EngineEvent): void {
  if (finished) return;
  port!.postMessage(e);
  if (e.type === 'fatal' && !starting) finish();
}

port.on('message', (raw: unknown) => {
  const msg = hostMessageSchema.safeParse(raw);
  if (!msg.success) {
    emit({ type: 'fatal', error: { code: 'bad_message', message: 'The sync engine received a malformed message.' } });
    return;
  }
  if (msg.data.type === 'kick') return void engine?.kick();
  stopRequested = true;
  // Still signing in: finish once startEngine settles.
  if (!starting) finish();
});

const opts = engineStartSchema.safeParse(workerData);
if (!opts.success) {
  emit({
    type: 'fatal',
    error: { code: 'bad_options', message: `Invalid sync engine options: ${opts.error.message}` },
  });
  finish();
} else {
  startEngine(opts.data, emit).then(
    (running) => {
      engine = running;
      starting = false;
      if (stopRequested) finish();
    },
    (e: unknown) => {
      starting = false;
      emit({ type: 'fatal', error: issueOf(e, 'start_failed') });
      finish();
    },
  );
}
