/**
 * The Electron bundles, checked where Node can run them: the engine worker bundle finds the replica
 * migrations from where it sits (the three-folders-deep rule in build-electron.ts) and opens a
 * replica with every one applied; the preload stays tiny and self-contained.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { beforeAll, expect, it } from 'vitest';
import { loadReplicaMigrations } from '../sync/client/replica/migrations.js';
import { makeTempDir } from '../sync/server/testing/temp-dir.js';
import { buildElectron, ELECTRON_OUT_DIR } from './build-electron.js';

beforeAll(() => buildElectron(), 60_000);

it('the bundled engine worker opens a replica with every migration, offline', async () => {
  const dbFile = path.join(makeTempDir('bundle-worker'), 'replica.db');
  const now = Date.now();
  const worker = new Worker(path.join(ELECTRON_OUT_DIR, 'engine-worker.js'), {
    workerData: {
      dbFile,
      serverUrl: 'http://127.0.0.1:9', // nothing listens: the engine goes offline, the replica still opens
      auth: {
        kind: 'tokens',
        tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: now + 600_000, issuedAt: now },
      },
      retry: { initialDelay: 50, maxDelay: 100, multiplier: 1 },
    },
  });
  const events: Array<{ type: string; status?: { phase: string } }> = [];
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (e: { type: string; status?: { phase: string } }) => {
      events.push(e);
      if (e.type === 'status' && e.status?.phase === 'offline') resolve();
      if (e.type === 'fatal') reject(new Error(JSON.stringify(e)));
    });
    worker.on('error', reject);
  });
  worker.postMessage({ type: 'stop' });
  await new Promise((resolve) => worker.on('exit', resolve));
  const db = new Database(dbFile, { readonly: true });
  try {
    const applied = db.prepare('select count(*) as n from replica_migrations').get() as { n: number };
    expect(applied.n).toBe(loadReplicaMigrations().length);
  } finally {
    db.close();
  }
});

it('the preload bundle is small and needs nothing but electron', () => {
  const preload = fs.readFileSync(path.join(ELECTRON_OUT_DIR, 'preload.cjs'), 'utf8');
  expect(preload.length).toBeLessThan(8_000);
  const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  expect(new Set(requires)).toEqual(new Set(['electron']));
});
