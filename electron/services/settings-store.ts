/**
 * The app's settings (server address, theme) in `<dataDir>/settings.json`. A missing or damaged
 * file gives the defaults; `defaultServerUrl` fills in the server only until one is configured.
 */
import { settingsSchema, type Settings } from '../../shared/api/views.js';
import { readJsonFile, writeJsonFile } from './json-file.js';

export type SettingsChange = Partial<Settings>;

export class SettingsStore {
  readonly #file: string;
  #settings: Settings;

  private constructor(file: string, settings: Settings) {
    this.#file = file;
    this.#settings = settings;
  }

  static load(file: string, defaultServerUrl: string | null = null): SettingsStore {
    const parsed = settingsSchema.safeParse(readJsonFile(file));
    const stored = parsed.success ? parsed.data : { serverUrl: null, theme: 'system' as const };
    return new SettingsStore(file, { ...stored, serverUrl: stored.serverUrl ?? defaultServerUrl });
  }

  get(): Settings {
    return { ...this.#settings };
  }

  /** Applies the change and persists it; returns true when anything changed. */
  update(change: SettingsChange): boolean {
    const next = {
      ...this.#settings,
      ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
    };
    if (next.serverUrl === this.#settings.serverUrl && next.theme === this.#settings.theme) return false;
    writeJsonFile(this.#file, next);
    this.#settings = next;
    return true;
  }
}
