/**
 * The app's main-process side, in plain Node: it implements every channel of the app API
 * (shared/api/contract.ts) over the local replica and the sync engine, and emits the contract's
 * events. Electron wires `handlers` into ipcMain and `on` into webContents; browser mode serves the
 * same object over its localhost bridge (electron/bridge).
 *
 *   const host = await AppHost.open({ dataDir, mode: 'browser', version, tokenStore });
 *   const result = await dispatch(host.handlers, channel, input, describeError);
 *   const off = host.on((event, payload) => …);
 *   await host.close();
 *
 * Guarantees: after the first sign-in the app opens signed in from the cached replica without the
 * network; a write answers once it is in the replica and its outbox (replica:changed follows at
 * once); sync:status-changed is coalesced to at most ~10 a second.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EventName, Handlers } from '../../shared/api/contract.js';
import type { SyncOverview } from '../../shared/api/views.js';
import { Coalescer } from './coalesce.js';
import { createHandlers } from './handlers/index.js';
import type { AppHostOptions } from './host-options.js';
import { HostEvents } from './host-events.js';
import { ProfileStore } from './profile-store.js';
import { SessionManager } from './session-manager.js';
import { SettingsStore } from './settings-store.js';
import { SIGNED_OUT_OVERVIEW } from './sync-overview.js';

export type { AppHostOptions, TokenStore } from './host-options.js';
export { describeError } from './describe-error.js';

/** At most one sync:status-changed per this many ms, however busy the engine is. */
export const STATUS_EVENT_INTERVAL_MS = 100;
/** Synced-row changes are batched over this window: a 300k-row initial sync must not re-render screens per response. */
export const SYNCED_CHANGES_INTERVAL_MS = 250;

export class AppHost {
  readonly handlers: Handlers;
  readonly #events = new HostEvents();
  readonly #settings: SettingsStore;
  readonly #session: SessionManager;
  readonly #statusEvents: Coalescer;
  readonly #syncedEvents: Coalescer;
  readonly #syncedTables = new Set<string>();
  #lastOverview = '';
  #closed = false;

  private constructor(opts: AppHostOptions) {
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    this.#settings = SettingsStore.load(path.join(opts.dataDir, 'settings.json'), opts.defaultServerUrl ?? null);
    this.#statusEvents = new Coalescer(() => this.#emitOverview(), STATUS_EVENT_INTERVAL_MS);
    this.#syncedEvents = new Coalescer(() => this.#emitSynced(), SYNCED_CHANGES_INTERVAL_MS);
    this.#session = new SessionManager({
      dataDir: opts.dataDir,
      tokenStore: opts.tokenStore,
      profile: new ProfileStore(path.join(opts.dataDir, 'profile.json')),
      defaultServerUrl: () => this.#settings.get().serverUrl,
      onSessionChanged: (state) => {
        this.#events.emit('session:changed', state);
        this.#statusEvents.request();
      },
      onSynced: (tables) => {
        for (const t of tables) this.#syncedTables.add(t);
        this.#syncedEvents.request();
      },
      onActivity: () => this.#statusEvents.request(),
    });
    this.handlers = createHandlers({
      mode: opts.mode,
      version: opts.version,
      saveCsv: opts.saveCsv,
      settings: this.#settings,
      session: this.#session,
      overview: () => this.overview(),
      emit: (event, payload) => this.#events.emit(event, payload as never),
    });
  }

  static async open(opts: AppHostOptions): Promise<AppHost> {
    const host = new AppHost(opts);
    await host.#session.restore();
    return host;
  }

  /** Every main → renderer event of the contract; returns the unsubscribe function. */
  on(listener: (event: EventName, payload: unknown) => void): () => void {
    return this.#events.on(listener);
  }

  /** The sync overview right now (what sync:status answers). */
  overview(): SyncOverview {
    return this.#session.workspace?.overview() ?? SIGNED_OUT_OVERVIEW;
  }

  /** Stops sync and closes the replica; the session is kept for the next start. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#statusEvents.close();
    this.#syncedEvents.close();
    await this.#session.close();
  }

  #emitOverview(): void {
    const overview = this.overview();
    const json = JSON.stringify(overview);
    if (json === this.#lastOverview) return;
    this.#lastOverview = json;
    this.#events.emit('sync:status-changed', overview);
  }

  #emitSynced(): void {
    if (this.#syncedTables.size === 0) return;
    const tables = [...this.#syncedTables];
    this.#syncedTables.clear();
    this.#events.emit('replica:changed', { tables });
  }
}
