/**
 * Helpers for tests of the app host against the real stack (scripts/sync-e2e/test-stack.ts): a host
 * on a fresh data folder with a FileTokenStore, its events recorded, and waits on events (never sleeps).
 */
import fs from 'node:fs';
import path from 'node:path';
import { dispatch } from '../../shared/api/dispatch.js';
import type { Channel, ChannelInput, ChannelOutput, EventName } from '../../shared/api/contract.js';
import type { ApiResult } from '../../shared/api/result.js';
import type { SyncOverview } from '../../shared/api/views.js';
import { waitFor } from '../../sync/server/shape-service/client-test-support.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { AppHost, describeError } from '../services/app-host.js';
import { FileTokenStore } from '../services/file-token-store.js';

export type Recorded = { event: EventName; payload: unknown };

export type TestHost = {
  host: AppHost;
  dataDir: string;
  tokenFile: string;
  events: Recorded[];
  /** Dispatches like the IPC and the bridge do, answering the ApiResult. */
  call<C extends Channel>(channel: C, input?: ChannelInput<C>): Promise<ApiResult<ChannelOutput<C>>>;
  /** Dispatches and returns the value, failing the test with the error otherwise. */
  value<C extends Channel>(channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>>;
  /** Resolves with the latest sync overview once `ok` holds for it. */
  untilSync(ok: (o: SyncOverview) => boolean, ms?: number): Promise<SyncOverview>;
  close(): Promise<void>;
};

export async function openTestHost(opts: { dataDir?: string; serverUrl?: string | null } = {}): Promise<TestHost> {
  const dataDir = opts.dataDir ?? makeTempDir('app-host');
  const tokenFile = path.join(dataDir, 'session.json');
  const host = await AppHost.open({
    dataDir,
    mode: 'browser',
    version: '0.0.0-test',
    tokenStore: new FileTokenStore(tokenFile),
    defaultServerUrl: opts.serverUrl ?? null,
  });
  const events: Recorded[] = [];
  host.on((event, payload) => events.push({ event, payload }));
  const call = <C extends Channel>(channel: C, input?: ChannelInput<C>) =>
    dispatch(host.handlers, channel, input ?? {}, describeError) as Promise<ApiResult<ChannelOutput<C>>>;
  const value = async <C extends Channel>(channel: C, input?: ChannelInput<C>) => {
    const r = await call(channel, input);
    if (!r.ok) throw new Error(`${channel} failed: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  return {
    host,
    dataDir,
    tokenFile,
    events,
    call,
    value,
    async untilSync(ok, ms = 60_000) {
      let last: SyncOverview | undefined;
      await waitFor(
        () => ok((last = host.overview())),
        ms,
        () =>
          `; last overview: ${JSON.stringify({ ...last, tables: last?.tables.map((t) => `${t.table}:${t.phase}`) })}`,
      );
      return last!;
    },
    close: () => host.close(),
  };
}

export const removeDir = (dir: string): void => fs.rmSync(dir, { recursive: true, force: true });
