/** A synced table's phase, as the sync engine reports it and the sync centre shows it (diagram: sync/client/sync-status.ts). */
export const SYNC_PHASES = ['initial', 'live', 'offline', 'error'] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];
