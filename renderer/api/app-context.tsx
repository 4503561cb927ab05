/**
 * The AppApi and the app-wide stores, provided by context (no module-level singleton), with
 * one hook per store so components subscribe only to what they read.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppApi } from '../../shared/api/contract.js';
import type { AppStores } from '../stores/app-stores.js';
import type { NavStore } from '../stores/nav-store.js';
import type { SessionStore } from '../stores/session-store.js';
import type { SettingsStore } from '../stores/settings-store.js';
import type { SyncStore } from '../stores/sync-store.js';
import type { ViewStore } from '../stores/view-store.js';
import type { TransportMode } from './transport.js';

export type AppContextValue = { api: AppApi; stores: AppStores; mode: TransportMode };

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ value, children }: { value: AppContextValue; children: ReactNode }) {
  return <AppContext value={value}>{children}</AppContext>;
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('AppProvider is missing above this component.');
  return value;
}

export const useApi = (): AppApi => useAppContext().api;
export const useTransportMode = (): TransportMode => useAppContext().mode;
export const useSession = <T,>(select: (s: SessionStore) => T): T => useStore(useAppContext().stores.session, select);
export const useSync = <T,>(select: (s: SyncStore) => T): T => useStore(useAppContext().stores.sync, select);
export const useSettings = <T,>(select: (s: SettingsStore) => T): T =>
  useStore(useAppContext().stores.settings, select);
export const useNav = <T,>(select: (s: NavStore) => T): T => useStore(useAppContext().stores.nav, select);
export const useViews = <T,>(select: (s: ViewStore) => T): T => useStore(useAppContext().stores.views, select);
