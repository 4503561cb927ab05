/** Who is signed in, kept current from `session:changed`; sign-in and sign-out go through here. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppApi, ChannelInput } from '../../shared/api/contract.js';
import type { SessionState } from '../../shared/api/views.js';
import { errorMessage } from '../lib/errors.js';

export type SessionStore = {
  /** null until the first answer. */
  session: SessionState | null;
  loadError: string | null;
  /** Rejects with the ApiError, for the form to explain. */
  signIn(input: ChannelInput<'session:sign-in'>): Promise<void>;
  signOut(): Promise<void>;
};

export function createSessionStore(api: AppApi): { store: StoreApi<SessionStore>; dispose: () => void } {
  const store = createStore<SessionStore>()((set) => ({
    session: null,
    loadError: null,
    async signIn(input) {
      set({ session: await api.invoke('session:sign-in', input), loadError: null });
    },
    async signOut() {
      set({ session: await api.invoke('session:sign-out', {}) });
    },
  }));
  const off = api.on('session:changed', (session) => store.setState({ session, loadError: null }));
  api.invoke('session:get', {}).then(
    // An event may have arrived first; it is at least as fresh as this answer.
    (session) => store.setState((s) => (s.session ? {} : { session })),
    (e: unknown) => store.setState({ loadError: errorMessage(e) }),
  );
  return { store, dispose: off };
}
