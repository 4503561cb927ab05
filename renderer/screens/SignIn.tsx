/**
 * Sign in: server address, email, password. Needed once per laptop and user; afterwards main
 * restores the session offline and the app opens on My work.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useSession, useSettings } from '../api/app-context.js';
import { ErrorAlert, Notice } from '../components/Alert.js';
import { errorCode, errorMessage } from '../lib/errors.js';
import { signInErrorMessage } from '../lib/sign-in-errors.js';
import '../styles/sign-in.css';

export function SignIn() {
  const session = useSession((s) => s.session);
  const signIn = useSession((s) => s.signIn);
  const settingsServer = useSettings((s) => s.settings?.serverUrl ?? null);
  const signedOut = session?.status === 'signed-out' ? session : null;

  const [serverUrl, setServerUrl] = useState(signedOut?.serverUrl ?? settingsServer ?? '');
  const [email, setEmail] = useState(signedOut?.lastEmail ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { server: useId(), email: useId(), password: useId() };

  // Settings may arrive after the form is shown; fill the address in unless someone typed one.
  const knownServer = signedOut?.serverUrl ?? settingsServer;
  useEffect(() => {
    if (knownServer) setServerUrl((current) => current || knownServer);
  }, [knownServer]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = !serverUrl.trim()
      ? 'the server address'
      : !email.trim()
        ? 'your email'
        : !password
          ? 'your password'
          : null;
    if (missing) {
      setError(`Enter ${missing}.`);
      return;
    }
    if (!/^https?:\/\//i.test(serverUrl.trim())) {
      setError('The server address must start with http:// or https://.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn({ serverUrl: serverUrl.trim(), email: email.trim(), password });
    } catch (err) {
      setError(signInErrorMessage(errorCode(err), errorMessage(err), serverUrl.trim()));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} noValidate aria-busy={busy}>
        <h1>
          Fieldline <span className="sign-in-sub">Sign in</span>
        </h1>
        {signedOut?.reason && <Notice tone="warning">Your last session ended: {signedOut.reason.message}</Notice>}
        <div className="field">
          <label htmlFor={ids.server}>Server address</label>
          <input
            id={ids.server}
            type="url"
            inputMode="url"
            autoComplete="url"
            placeholder="https://fieldline.example.com"
            value={serverUrl}
            onChange={(e) => setServerUrl(e.target.value)}
            disabled={busy}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.email}>Email</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            disabled={busy}
            autoFocus={!email}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input
            id={ids.password}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            disabled={busy}
            autoFocus={!!email}
          />
        </div>
        {error && <ErrorAlert>{error}</ErrorAlert>}
        <button type="submit" className="button-primary sign-in-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="sign-in-hint">After the first sign-in this laptop opens your work without a connection.</p>
      </form>
    </main>
  );
}
