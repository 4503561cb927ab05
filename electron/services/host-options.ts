/** What the Electron shell (or browser mode) hands the app host. Plain types: no Electron here. */

/**
 * Where the session's secret lives between runs: an opaque string (the token pair and whose it is,
 * as JSON). Electron keeps it with safeStorage; browser mode and tests use FileTokenStore.
 */
export type TokenStore = {
  load(): Promise<string | null>;
  save(secret: string): Promise<void>;
  clear(): Promise<void>;
};

export type AppHostOptions = {
  /** The app's own folder: settings, the signed-in profile, replicas/. */
  dataDir: string;
  mode: 'electron' | 'browser';
  version: string;
  tokenStore: TokenStore;
  /** The server to offer when none is configured yet (e.g. the local stack start-web started). */
  defaultServerUrl?: string | null;
  /** Electron: a save dialog; resolves with the path written, or null when canceled. Absent in browser mode. */
  saveCsv?: (suggestedName: string, csv: string) => Promise<string | null>;
};
