import { describe, expect, it } from 'vitest';
import { SYNCED_TABLES } from '../../shared/schema/tables.js';
import type { TableSyncStatus } from '../../sync/client/sync-status.js';
import { deriveOverview, type OverviewInputs } from './sync-overview.js';

const status = (
  table: string,
  phase: TableSyncStatus['phase'],
  lastUpToDateAt: string | null = null,
): TableSyncStatus => ({
  table,
  phase,
  rows: 1,
  bytes: 1,
  total: null,
  lastUpToDateAt,
  lastError: phase === 'error' ? { code: 'http_403', message: 'refused' } : null,
});
const all = (phase: TableSyncStatus['phase'], at: string | null = '2026-01-01T00:00:00.000000Z') =>
  SYNCED_TABLES.map((t) => status(t.name, phase, at));
const inputs = (over: Partial<OverviewInputs> = {}): OverviewInputs => ({
  statuses: all('live'),
  outbox: { queued: 0, awaitingConfirmation: 0, conflicts: 0, rejected: 0, overridden: 0 },
  oldestQueuedAt: null,
  lastUploadError: null,
  engineRunning: true,
  engineError: null,
  ...over,
});

describe('deriveOverview', () => {
  it('live and nothing waiting is idle', () => {
    expect(deriveOverview(inputs())).toMatchObject({ state: 'live', online: true, idle: true, lastError: null });
    const busy = deriveOverview(
      inputs({ outbox: { queued: 0, awaitingConfirmation: 1, conflicts: 0, rejected: 0, overridden: 0 } }),
    );
    expect(busy).toMatchObject({ state: 'live', idle: false });
  });

  it('a first sync is initial; a resumed table not yet up to date is starting', () => {
    const first = [status('organizations', 'initial'), ...all('live').slice(1)];
    expect(deriveOverview(inputs({ statuses: first })).state).toBe('initial');
    expect(deriveOverview(inputs({ statuses: all('initial') })).state).toBe('starting');
    expect(deriveOverview(inputs({ statuses: [] })).state).toBe('starting');
  });

  it('offline tables or offline uploads with edits waiting are offline; failures are errors', () => {
    const off = [status('organizations', 'offline', 'x'), ...all('live').slice(1)];
    expect(deriveOverview(inputs({ statuses: off }))).toMatchObject({ state: 'offline', online: false });
    const uploads = inputs({
      outbox: { queued: 2, awaitingConfirmation: 0, conflicts: 0, rejected: 0, overridden: 0 },
      oldestQueuedAt: '2026-01-01T00:00:00.000000Z',
      lastUploadError: { code: 'offline', message: 'no network' },
    });
    expect(deriveOverview(uploads)).toMatchObject({
      state: 'offline',
      outbox: { queued: 2, lastUploadError: { code: 'offline' }, oldestQueuedAt: '2026-01-01T00:00:00.000000Z' },
    });
    const failing = [status('devices', 'error', 'x'), ...all('live').slice(1)];
    expect(deriveOverview(inputs({ statuses: failing }))).toMatchObject({
      state: 'error',
      lastError: { code: 'http_403' },
    });
    const dead = inputs({ engineRunning: false, engineError: { code: 'engine_crashed', message: 'oom' } });
    expect(deriveOverview(dead)).toMatchObject({
      state: 'error',
      online: false,
      lastError: { code: 'engine_crashed' },
    });
  });

  it('an upload error is shown only while something waits to leave', () => {
    const drained = inputs({ lastUploadError: { code: 'server_error', message: '503' } });
    expect(deriveOverview(drained).outbox.lastUploadError).toBeNull();
  });
});
