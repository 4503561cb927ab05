import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { EngineStartOptions } from '../engine/protocol.js';
import type { SyncEngineEvents } from '../engine/sync-engine.js';
import type { TableSyncStatus } from '../sync-status.js';
import type { SyncCommand } from './args.js';
import { fatalLine, runSync, type EngineHandle, type SyncIo } from './sync-command.js';

class FakeEngine extends EventEmitter<SyncEngineEvents> {
  stops = 0;
  async stop(): Promise<void> {
    this.stops++;
  }
}

const CMD: SyncCommand = {
  command: 'sync',
  serverUrl: 'http://127.0.0.1:7410',
  email: 'tech@northwind.test',
  password: 'hunter2',
  dbFile: '/tmp/r.db',
  once: true,
  plain: false,
  tables: ['devices', 'tasks'],
};

const status = (table: string, phase: TableSyncStatus['phase'], rows = 0): TableSyncStatus => ({
  table,
  phase,
  rows,
  bytes: rows * 100,
  total: null,
  lastUpToDateAt: null,
  lastError: null,
});

function harness(start?: (o: EngineStartOptions) => EngineHandle) {
  const engine = new FakeEngine();
  const out: string[] = [];
  const err: string[] = [];
  const signals = new EventEmitter();
  const started: EngineStartOptions[] = [];
  const io: SyncIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    isTty: false,
    signals: signals as unknown as SyncIo['signals'],
    exit: vi.fn(),
    startEngine:
      start ??
      ((o) => {
        started.push(o);
        return engine;
      }),
  };
  return { engine, out, err, signals, started, io, all: () => out.join('') + err.join('') };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('runSync', () => {
  it('--once: starts the engine with the password, prints plain progress, stops and exits 0 when live', async () => {
    const h = harness();
    const done = runSync(CMD, h.io);
    expect(h.started).toEqual([
      {
        dbFile: '/tmp/r.db',
        serverUrl: 'http://127.0.0.1:7410',
        auth: { kind: 'password', email: 'tech@northwind.test', password: 'hunter2' },
        tables: ['devices', 'tasks'],
      },
    ]);
    h.engine.emit('status', status('devices', 'initial'));
    h.engine.emit('status', status('tasks', 'initial'));
    h.engine.emit('status', status('devices', 'live', 10));
    h.engine.emit('status', status('tasks', 'live', 20));
    h.engine.emit('outbox', { queued: 2, awaitingConfirmation: 0, conflicts: 0, rejected: 0, overridden: 0 });
    h.engine.emit('live');
    // Shapes are live but two local edits have not left yet: --once waits for them.
    let exited: number | undefined;
    void done.then((c) => (exited = c));
    await tick();
    expect(exited).toBeUndefined();
    h.engine.emit('outbox', { queued: 0, awaitingConfirmation: 0, conflicts: 1, rejected: 0, overridden: 0 });
    await expect(done).resolves.toBe(0);
    expect(h.engine.stops).toBe(1);
    expect(h.out.join('')).toContain('devices live 10 rows 1.00 kB\ntasks live 20 rows 2.00 kB\n');
    expect(h.out.join('')).toContain('2 local edits to upload, 0 awaiting confirmation');
    expect(h.all()).not.toContain('hunter2');
    expect(h.signals.listenerCount('SIGINT')).toBe(0);
    expect(h.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('--once: an upload the server refuses ends the run with exit 1 instead of waiting forever', async () => {
    const h = harness();
    const done = runSync(CMD, h.io);
    h.engine.emit('outbox', { queued: 1, awaitingConfirmation: 0, conflicts: 0, rejected: 0, overridden: 0 });
    h.engine.emit('live');
    h.engine.emit('upload-error', { code: 'refused', message: 'The server refused the upload (404)' });
    await expect(done).resolves.toBe(1);
    expect(h.err.join('')).toContain('upload failed: The server refused the upload (404)');
  });

  it('a fatal error: message with code and hint on stderr, engine stopped, exit 1', async () => {
    const h = harness();
    const done = runSync(CMD, h.io);
    h.engine.emit('fatal', { code: 'invalid_credentials', message: 'Email or password is incorrect.' });
    h.engine.emit('stopped');
    await expect(done).resolves.toBe(1);
    expect(h.err).toEqual([
      'fieldline sync: Email or password is incorrect. (invalid_credentials) Check --email and --password (or FIELDLINE_PASSWORD).\n',
    ]);
    expect(h.engine.stops).toBe(1);
  });

  it('without --once: keeps running when live; SIGINT stops gracefully with 0; a second signal quits at once', async () => {
    const h = harness();
    let result: number | undefined;
    let stopping: () => void = () => {};
    h.engine.stop = () => {
      h.engine.stops++;
      return new Promise<void>((r) => (stopping = r));
    };
    void runSync({ ...CMD, once: false }, h.io).then((c) => (result = c));
    h.engine.emit('live');
    await tick();
    expect(result).toBeUndefined();
    expect(h.out.join('')).toContain('all 2 tables are up to date; following changes');
    h.signals.emit('SIGINT');
    h.signals.emit('SIGTERM');
    expect(h.io.exit).toHaveBeenCalledWith(130);
    stopping();
    await tick();
    expect(result).toBe(0);
    expect(h.engine.stops).toBe(1);
  });

  it('an engine that ends by itself, or cannot start, fails the run', async () => {
    const h = harness();
    const done = runSync(CMD, h.io);
    h.engine.emit('stopped');
    await expect(done).resolves.toBe(1);
    expect(h.err.join('')).toMatch(/stopped unexpectedly/);

    const bad = harness(() => {
      throw new Error('Invalid sync engine options: nope');
    });
    await expect(runSync(CMD, bad.io)).resolves.toBe(1);
    expect(bad.err).toEqual(['fieldline sync: Invalid sync engine options: nope\n']);
  });

  it('fatalLine adds a hint only where one helps', () => {
    expect(fatalLine({ code: 'weird', message: 'Something.' })).toBe('fieldline sync: Something. (weird)');
    expect(fatalLine({ code: 'gateway_unreachable', message: 'Cannot reach.' })).toMatch(/--server/);
  });
});
