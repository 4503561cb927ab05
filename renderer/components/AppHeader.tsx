/** The top bar: app, organization and user, sync state, theme, sign out. */
import { useState } from 'react';
import { useSession } from '../api/app-context.js';
import { errorMessage } from '../lib/errors.js';
import { ErrorAlert } from './Alert.js';
import { SyncIndicator } from './SyncIndicator.js';
import { ThemeSwitch } from './ThemeSwitch.js';

const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', dispatcher: 'Dispatcher', technician: 'Technician' } as const;

export function AppHeader() {
  const session = useSession((s) => s.session);
  const signOut = useSession((s) => s.signOut);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (session?.status !== 'signed-in') return null;

  const onSignOut = async () => {
    setBusy(true);
    setError(null);
    try {
      await signOut();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <header className="app-header">
      <div className="app-identity">
        <span className="app-name">Fieldline</span>
        <span className="app-org">{session.organization.name}</span>
      </div>
      <SyncIndicator />
      <div className="header-tools">
        <ThemeSwitch />
        <span className="app-user" title={session.user.email}>
          {session.user.displayName}
          <span className="app-role">{ROLE_LABEL[session.role]}</span>
        </span>
        <button type="button" className="button-quiet" onClick={onSignOut} disabled={busy}>
          {busy ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
      {error && <ErrorAlert action={{ label: 'Dismiss', onClick: () => setError(null) }}>{error}</ErrorAlert>}
    </header>
  );
}
