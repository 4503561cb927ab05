/** Sign in, or the app: whichever the session says, once it is known. */
import { useSession } from './api/app-context.js';
import { ErrorAlert } from './components/Alert.js';
import { AppShell } from './screens/AppShell.js';
import { SignIn } from './screens/SignIn.js';

export function App() {
  const session = useSession((s) => s.session);
  const loadError = useSession((s) => s.loadError);
  if (!session) {
    return (
      <main className="splash">
        <h1 className="splash-title">Fieldline</h1>
        {loadError ? (
          <ErrorAlert>
            The app could not start: {loadError}{' '}
            <button type="button" className="button-quiet" onClick={() => window.location.reload()}>
              Reload
            </button>
          </ErrorAlert>
        ) : (
          <p role="status">Opening…</p>
        )}
      </main>
    );
  }
  return session.status === 'signed-in' ? <AppShell /> : <SignIn />;
}
