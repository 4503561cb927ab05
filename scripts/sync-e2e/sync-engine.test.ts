/**
 * The sync engine in its worker thread (sync/client/engine) against the real stack: the boundary
 * the Electron main process and the CLI use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCED_TABLES, tableByName } from '../../shared/schema/tables.js';
import { InvalidEngineOptionsError, SyncEngine } from '../../sync/client/engine/sync-engine.js';
import { waitFor } from '../../sync/server/shape-service/client-test-support.js';
import { DEMO_PASSWORD, FAST_RETRY, replicaFileView, startTestStack, type TestStack } from './test-stack.js';

const EMAIL = 'tech@northwind.test';

let stack: TestStack;
beforeAll(async () => (stack = await startTestStack({ name: 'engine', seed: 5 })));
afterAll(() => stack?.stop());

const equalToServer = async (file: string) =>
  JSON.stringify(replicaFileView(file)) === JSON.stringify(await stack.serverView(EMAIL));

const start = (file: string, extra: Partial<Parameters<typeof SyncEngine.start>[0]> = {}) =>
  SyncEngine.start({
    dbFile: file,
    serverUrl: stack.gateway.url,
    auth: { kind: 'password', email: EMAIL, password: DEMO_PASSWORD },
    retry: FAST_RETRY,
    ...extra,
  });

describe('SyncEngine (worker thread)', () => {
  it('syncs every table to live, reports status and changes, and stops cleanly', async () => {
    const file = path.join(stack.dir, 'engine.db');
    const engine = start(file);
    const changed: string[] = [];
    const sessions: unknown[] = [];
    let fatal: unknown;
    engine.on('changed', (c) => changed.push(...c.tables));
    engine.on('session', (s) => sessions.push(s));
    engine.on('fatal', (e) => (fatal = e));
    try {
      await new Promise<void>((resolve) => engine.once('live', resolve));
      expect(fatal).toBeUndefined();
      expect(engine.live).toBe(true);
      expect(engine.statuses().map((s) => s.phase)).toEqual(SYNCED_TABLES.map(() => 'live'));
      expect(sessions).toHaveLength(1);
      const deviceRows = engine.statuses().find((s) => s.table === 'devices')!.rows;
      expect(deviceRows).toBeGreaterThan(0);

      const before = changed.length;
      await stack.sql.query(
        `update devices set notes = 'from the engine test'
         where id = (select id from devices where organization_id = $1 order by id limit 1)`,
        [stack.user(EMAIL).orgId],
      );
      await waitFor(() => changed.slice(before).includes('devices'), 15_000);
    } finally {
      await engine.stop();
    }
    // The worker closed the file: it can be opened and written, and it matches the server.
    expect(await equalToServer(file)).toBe(true);
  });

  it('wrong password: a fatal invalid_credentials, the thread ends, and no replica is created', async () => {
    const file = path.join(stack.dir, 'never.db');
    const engine = start(file, { auth: { kind: 'password', email: EMAIL, password: 'not-the-password' } });
    const fatal = await new Promise<{ code: string; message: string }>((resolve) => engine.once('fatal', resolve));
    expect(fatal.code).toBe('invalid_credentials');
    await engine.whenStopped();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses invalid options at the call site', () => {
    expect(() =>
      SyncEngine.start({ dbFile: '', serverUrl: 'ftp://x', auth: { kind: 'password', email: '', password: '' } }),
    ).toThrow(InvalidEngineOptionsError);
    expect(() => start(path.join(stack.dir, 'x.db'), { tables: [] })).toThrow(/tables/);
  });

  it('an unknown table is a fatal error naming it', async () => {
    const engine = start(path.join(stack.dir, 'unknown.db'), { tables: ['devices', 'no_such_table'] });
    const fatal = await new Promise<{ code: string; message: string }>((resolve) => engine.once('fatal', resolve));
    expect(fatal).toMatchObject({ code: 'unknown_table', message: expect.stringContaining('no_such_table') });
    await engine.whenStopped();
    expect(tableByName('devices')).toBeDefined();
  });
});
