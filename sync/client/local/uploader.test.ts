import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openReplica } from '../replica/open-replica.js';
import { LocalWrites } from './local-writes.js';
import { outboxCounts } from './outbox.js';
import { Uploader, UploadError } from './uploader.js';

/** A gateway address that accepts the upload and never answers it. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-uploader-'));
let server: http.Server;
let url: string;
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((_req, res) => void held.push(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

it('an upload never answered fails as offline after the answer timeout and stays queued for the retry', async () => {
  const { db } = openReplica(path.join(dir, 'r.db'));
  try {
    new LocalWrites(db).insert('device_types', {
      organization_id: '5b1a3c2e-0d4f-4a6b-8c7d-9e0f1a2b3c4d',
      category: 'camera',
      manufacturer: 'Axis',
      model: 'P3245',
      name: 'Axis dome',
    });
    const uploader = new Uploader({ db, serverUrl: url, getToken: async () => 'token', answerTimeoutMs: 150 });
    const failed = await uploader.drain().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(UploadError);
    expect(failed).toMatchObject({ code: 'offline', message: expect.stringMatching(/did not answer the upload/) });
    expect(held.length).toBe(1);
    expect(outboxCounts(db).queued).toBe(1);
  } finally {
    db.close();
  }
});
