/** Settings: the server this laptop signs in to, and the theme. Both are saved by main (settings:update). */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { THEMES } from '../../shared/api/views.js';
import { useApi, useSession, useSettings } from '../api/app-context.js';
import { ErrorAlert, Notice } from '../components/Alert.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { errorMessage } from '../lib/errors.js';
import { useAction } from '../lib/use-action.js';
import type { Theme } from '../stores/settings-store.js';
import '../styles/settings.css';

const THEME_LABEL: Record<Theme, string> = { system: 'Follow the system', light: 'Light', dark: 'Dark' };

function ServerForm() {
  const api = useApi();
  const id = useId();
  const saved = useSettings((s) => s.settings?.serverUrl ?? '');
  const sessionServer = useSession((s) => (s.session?.status === 'signed-in' ? s.session.serverUrl : null));
  const [url, setUrl] = useState(saved);
  const [done, setDone] = useState(false);
  useEffect(() => setUrl((current) => current || saved), [saved]);
  const save = useAction(() => api.invoke('settings:update', { serverUrl: url.trim() }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (await save.run()) setDone(true);
  };

  return (
    <form className="panel settings-panel" onSubmit={submit} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Server</h2>
      <div className="field">
        <label htmlFor={`${id}-url`}>Server address</label>
        <input
          id={`${id}-url`}
          type="url"
          inputMode="url"
          value={url}
          onChange={(e) => (setUrl(e.target.value), setDone(false))}
          placeholder="https://fieldline.example.com"
          disabled={save.busy}
          aria-describedby={`${id}-hint`}
        />
        <span id={`${id}-hint`} className="muted form-hint">
          Used the next time someone signs in on this computer.
          {sessionServer &&
            sessionServer !== url.trim() &&
            ` This session stays with ${sessionServer} until you sign out.`}
        </span>
      </div>
      {save.error && <ErrorAlert>The address was not saved: {save.error}</ErrorAlert>}
      {done && <Notice tone="success">Saved.</Notice>}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={save.busy || !url.trim() || url.trim() === saved}>
          Save address
        </button>
      </div>
    </form>
  );
}

function ThemeChoice() {
  const theme = useSettings((s) => s.settings?.theme ?? 'system');
  const setTheme = useSettings((s) => s.setTheme);
  const [error, setError] = useState<string | null>(null);
  return (
    <fieldset className="panel settings-panel">
      <legend className="settings-legend">Appearance</legend>
      {THEMES.map((t) => (
        <label key={t} className="settings-radio">
          <input
            type="radio"
            name="theme"
            value={t}
            checked={theme === t}
            onChange={() => {
              setError(null);
              setTheme(t).catch((e: unknown) => setError(errorMessage(e)));
            }}
          />
          {THEME_LABEL[t]}
        </label>
      ))}
      {error && <ErrorAlert>The theme was not saved: {error}</ErrorAlert>}
    </fieldset>
  );
}

export function Settings() {
  return (
    <section className="screen settings-screen" aria-labelledby="settings-title">
      <div className="screen-header">
        <ScreenHeading id="settings-title">Settings</ScreenHeading>
      </div>
      <div className="settings-columns">
        <ServerForm />
        <ThemeChoice />
      </div>
    </section>
  );
}
