/**
 * The sync engine proper, as it runs inside its worker (engine-worker.ts): signs in (or resumes
 * persisted tokens), opens the replica and runs the shape consumer, reporting everything as
 * EngineEvents. Kept free of worker plumbing so it can also be driven in-thread.
 */
import { tableByName } from '../../../shared/schema/tables.js';
import type { TableDef } from '../../../shared/schema/table.js';
import { GatewaySession, GatewayUnreachableError, type SessionTokens } from '../auth/gateway-session.js';
import { openReplica, type Replica } from '../replica/open-replica.js';
import { outboxCounts } from '../local/outbox.js';
import { Uploader } from '../local/uploader.js';
import { ShapeConsumer } from '../shape-consumer.js';
import type { EngineEvent, EngineIssue, EngineStartOptions } from './protocol.js';

export type RunningEngine = {
  stop(): void;
  /** Local writes were made (by another connection): upload them now. */
  kick(): void;
};

export class EngineStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'EngineStartError';
  }
}

export const issueOf = (e: unknown, fallback: string): EngineIssue => ({
  code: e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : fallback,
  message: e instanceof Error ? e.message : String(e),
});

function resolveTables(names: readonly string[] | undefined): TableDef[] | undefined {
  if (!names) return undefined;
  return names.map((n) => {
    const t = tableByName(n);
    if (!t) throw new EngineStartError('unknown_table', `"${n}" is not a synced table.`);
    return t;
  });
}

async function signIn(opts: EngineStartOptions): Promise<GatewaySession> {
  return opts.auth.kind === 'password'
    ? GatewaySession.login(opts.serverUrl, opts.auth.email, opts.auth.password)
    : GatewaySession.resume(opts.serverUrl, opts.auth.tokens);
}

const tokensEvent = (tokens: SessionTokens): EngineEvent => ({ type: 'session', tokens: { ...tokens } });

/**
 * Starts syncing. Rejects (with a coded error) only when it cannot start at all; once running,
 * problems are reported as status events, and `fatal` when the session ends.
 */
export async function startEngine(opts: EngineStartOptions, emit: (e: EngineEvent) => void): Promise<RunningEngine> {
  const tables = resolveTables(opts.tables);
  const session = await signIn(opts);
  emit(tokensEvent(session.tokens));
  let replica: Replica;
  try {
    replica = openReplica(opts.dbFile).db;
  } catch (e) {
    throw new EngineStartError(
      'replica_open_failed',
      `The replica ${opts.dbFile} could not be opened: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const tokenFor = async () => {
    try {
      return await session.getToken();
    } catch (e) {
      // Offline with a token due for refresh: send the one we have; the request fails as offline
      // (or 401 once back, which refreshes then).
      if (e instanceof GatewayUnreachableError) return session.tokens.accessToken;
      throw e;
    }
  };
  const consumer = new ShapeConsumer({
    db: replica,
    serverUrl: opts.serverUrl,
    tables,
    retry: opts.retry,
    parkThreshold: opts.parkThreshold,
    getToken: tokenFor,
    onUnauthorized: (stale) => session.refreshAfterUnauthorized(stale),
  });

  const uploader = new Uploader({
    db: replica,
    serverUrl: opts.serverUrl,
    getToken: tokenFor,
    onUnauthorized: (stale) => session.refreshAfterUnauthorized(stale),
    retry: opts.retry,
    onUploaded: () => emit({ type: 'outbox', counts: outboxCounts(replica) }),
    onError: (e) => emit({ type: 'upload-error', error: { code: e.code, message: e.message } }),
  });

  let stopped = false;
  let wasLive = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void uploader.stop();
    consumer.close();
    offTokens();
    offEnded();
    replica.close();
  };
  const offTokens = session.onTokens((t) => emit(tokensEvent(t)));
  const offEnded = session.onEnded((e) => {
    if (stopped) return;
    stop();
    emit({ type: 'fatal', error: issueOf(e, 'session_expired') });
  });
  consumer.on('status', (status) => {
    emit({ type: 'status', status });
    if (!wasLive && consumer.isLive()) {
      wasLive = true;
      emit({ type: 'live' });
    }
  });
  consumer.on('changed', ({ tables: touched }) => {
    emit({ type: 'changed', tables: touched });
    emit({ type: 'outbox', counts: outboxCounts(replica) });
  });
  for (const status of consumer.status()) emit({ type: 'status', status });
  emit({ type: 'outbox', counts: outboxCounts(replica) });
  consumer.start();
  uploader.start();
  return { stop, kick: () => uploader.kick() };
}
