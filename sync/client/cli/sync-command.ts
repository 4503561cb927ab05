/**
 * `fieldline sync`: runs the sync engine (off the main thread, engine/sync-engine.ts) against a replica
 * file and shows its progress. With `--once` it stops as soon as every table has applied an
 * up-to-date; otherwise it follows changes until SIGINT/SIGTERM, then stops gracefully (a second
 * signal exits at once). A fatal engine error ends the run with exit code 1.
 */
import { SYNCED_TABLES } from '../../../shared/schema/tables.js';
import type { EngineIssue, EngineStartOptions } from '../engine/protocol.js';
import { SyncEngine, type SyncEngineEvents } from '../engine/sync-engine.js';
import { EXIT_FAILED, EXIT_OK, PASSWORD_ENV, type SyncCommand } from './args.js';
import { ProgressDisplay } from './progress.js';
import { forgetSession, readSession, writeSession } from './session-file.js';

/** What runSync needs from an engine: SyncEngine's host API. */
export type EngineHandle = {
  on<K extends keyof SyncEngineEvents>(event: K, listener: (...args: SyncEngineEvents[K]) => void): unknown;
  stop(): Promise<void>;
};

export type SyncIo = {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stdout is a terminal: redraw progress in place (unless --plain). */
  isTty: boolean;
  columns?: () => number | undefined;
  /** Where SIGINT/SIGTERM arrive (process). */
  signals: {
    on(signal: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
    off(signal: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
  };
  /** Leaves at once (a second Ctrl-C). */
  exit: (code: number) => void;
  startEngine?: (opts: EngineStartOptions) => EngineHandle;
};

const HINTS: Record<string, string> = {
  invalid_credentials: `Check --email and --password (or ${PASSWORD_ENV}).`,
  account_refused: 'The server does not let this account sign in.',
  gateway_unreachable: 'Is the server running, and is --server right?',
  session_expired: 'Sign in again: run the command again.',
  replica_open_failed: 'Check --db: its directory must exist and be writable.',
};

/** One line for a fatal engine error: its message, its code, and a hint when there is one. */
export function fatalLine(e: EngineIssue): string {
  const hint = HINTS[e.code];
  return `fieldline sync: ${e.message} (${e.code})${hint ? ` ${hint}` : ''}`;
}

export async function runSync(cmd: SyncCommand, io: SyncIo): Promise<number> {
  const stored = readSession(cmd.dbFile, cmd.serverUrl, cmd.email);
  if (stored) {
    const code = await runEngine(cmd, io, { kind: 'tokens', tokens: stored });
    if (code !== SESSION_ENDED) return code;
    forgetSession(cmd.dbFile);
  }
  const code = await runEngine(cmd, io, { kind: 'password', email: cmd.email, password: cmd.password });
  return code === SESSION_ENDED ? EXIT_FAILED : code;
}

/** runEngine's result when a resumed session turned out to be over: sign in with the password instead. */
const SESSION_ENDED = -1;

function runEngine(cmd: SyncCommand, io: SyncIo, auth: EngineStartOptions['auth']): Promise<number> {
  const tables = cmd.tables ?? SYNCED_TABLES.map((t) => t.name);
  const display = new ProgressDisplay({
    mode: cmd.plain || !io.isTty ? 'plain' : 'tty',
    tables,
    out: io.out,
    err: io.err,
    columns: io.columns,
  });
  display.info(
    `fieldline sync: ${cmd.email} at ${cmd.serverUrl} into ${cmd.dbFile}, ${tables.length} tables` +
      (cmd.once ? ', until up to date' : ', following changes (Ctrl-C to stop)'),
  );
  let engine: EngineHandle;
  try {
    engine = (io.startEngine ?? ((o) => SyncEngine.start(o)))({
      dbFile: cmd.dbFile,
      serverUrl: cmd.serverUrl,
      auth,
      ...(cmd.tables ? { tables: cmd.tables } : {}),
    });
  } catch (e) {
    display.finish();
    io.err(`fieldline sync: ${(e as Error).message}\n`);
    return Promise.resolve(EXIT_FAILED);
  }

  return new Promise<number>((resolve) => {
    let ending = false;
    let signalled = false;
    const end = async (code: number, message?: string) => {
      if (ending) return;
      ending = true;
      if (message) display.error(message);
      try {
        await engine.stop();
      } catch (e) {
        display.error(`fieldline sync: stopping the engine failed: ${(e as Error).message}`);
        code = EXIT_FAILED;
      }
      display.finish();
      io.signals.off('SIGINT', onSignal);
      io.signals.off('SIGTERM', onSignal);
      resolve(code);
    };
    const onSignal = () => {
      if (signalled) return io.exit(130);
      signalled = true;
      display.info('fieldline sync: stopping (again to quit at once)…');
      void end(EXIT_OK);
    };
    io.signals.on('SIGINT', onSignal);
    io.signals.on('SIGTERM', onSignal);
    engine.on('status', (s) => display.update(s));
    // --once is done when every shape is up to date AND every local edit is uploaded and confirmed.
    let live = false;
    let outboxEmpty = false;
    const maybeDone = () => {
      if (cmd.once && live && outboxEmpty) void end(EXIT_OK);
    };
    engine.on('live', () => {
      live = true;
      if (!cmd.once) display.info(`fieldline sync: all ${tables.length} tables are up to date; following changes`);
      maybeDone();
    });
    engine.on('outbox', (c) => {
      const waiting = c.queued + c.awaitingConfirmation;
      outboxEmpty = waiting === 0;
      if (waiting > 0)
        display.info(
          `fieldline sync: ${c.queued} local edits to upload, ${c.awaitingConfirmation} awaiting confirmation`,
        );
      maybeDone();
    });
    engine.on('upload-error', (e) => {
      // Offline and server errors are retried; a refusal will not go away by waiting.
      if (e.code === 'refused' || e.code === 'bad_response')
        void end(EXIT_FAILED, `fieldline sync: upload failed: ${e.message}`);
      else display.info(`fieldline sync: upload will be retried: ${e.message}`);
    });
    engine.on('session', ({ tokens }) => {
      try {
        writeSession(cmd.dbFile, cmd.serverUrl, cmd.email, tokens);
      } catch (e) {
        display.error(`fieldline sync: could not keep the session beside the replica: ${(e as Error).message}`);
      }
    });
    engine.on('fatal', (e) => {
      if (auth.kind === 'tokens' && e.code === 'session_expired') {
        display.info('fieldline sync: the stored session has ended; signing in again');
        void end(SESSION_ENDED);
      } else void end(EXIT_FAILED, fatalLine(e));
    });
    engine.on('stopped', () => void end(EXIT_FAILED, 'fieldline sync: the sync engine stopped unexpectedly'));
  });
}
