/** Light, dark or follow the system; saved in settings so every window and the next start agree. */
import { useId, useState } from 'react';
import { THEMES } from '../../shared/api/views.js';
import { useSettings } from '../api/app-context.js';
import { errorMessage } from '../lib/errors.js';
import type { Theme } from '../stores/settings-store.js';

const LABEL: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function ThemeSwitch() {
  const id = useId();
  const theme = useSettings((s) => s.settings?.theme ?? 'system');
  const setTheme = useSettings((s) => s.setTheme);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="theme-switch">
      <label htmlFor={id}>Theme</label>
      <select
        id={id}
        value={theme}
        onChange={(e) => {
          setError(null);
          setTheme(e.target.value as Theme).catch((err: unknown) => setError(errorMessage(err)));
        }}
      >
        {THEMES.map((t) => (
          <option key={t} value={t}>
            {LABEL[t]}
          </option>
        ))}
      </select>
      {error && (
        <span role="alert" className="inline-error">
          {error}
        </span>
      )}
    </div>
  );
}
