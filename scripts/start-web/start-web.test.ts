import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataRoot } from '../../sync/server/db/data-dir.js';
import { makeTempDir } from '../../sync/server/testing/temp-dir.js';
import { parseStartWebArgs } from './args.js';
import { staleReason } from './renderer-build.js';

describe('start:web arguments', () => {
  it('defaults: port 7400, the app folder beside the stack’s, the local stack', () => {
    expect(parseStartWebArgs([])).toEqual({
      port: 7400,
      dataDir: path.join(defaultDataRoot(), 'app'),
      server: undefined,
    });
  });

  it('takes --port (0 = any), --data-dir and --server, and refuses nonsense with the usage', () => {
    expect(
      parseStartWebArgs(['--port', '0', '--data-dir', 'rel/dir', '--server', 'https://sync.example.com/']),
    ).toEqual({
      port: 0,
      dataDir: path.resolve('rel/dir'),
      server: 'https://sync.example.com',
    });
    expect(() => parseStartWebArgs(['--port', '70000'])).toThrow(/--port must be 0–65535/);
    expect(() => parseStartWebArgs(['--server', 'ftp://x'])).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseStartWebArgs(['--bogus'])).toThrow(/Usage: npm run start:web/);
    expect(() => parseStartWebArgs(['--help'])).toThrow(/--data-dir/);
  });
});

describe('renderer build check', () => {
  it('builds when dist is missing or older than a renderer or shared source', () => {
    const root = makeTempDir('start-web');
    try {
      const out = path.join(root, 'dist', 'renderer');
      fs.mkdirSync(path.join(root, 'renderer'), { recursive: true });
      fs.mkdirSync(path.join(root, 'shared'), { recursive: true });
      fs.writeFileSync(path.join(root, 'renderer', 'main.tsx'), '');
      expect(staleReason(root, out)).toMatch(/index.html is missing/);
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'index.html'), '');
      const later = new Date(Date.now() + 60_000);
      fs.utimesSync(path.join(out, 'index.html'), later, later);
      expect(staleReason(root, out)).toBeNull();
      fs.writeFileSync(path.join(root, 'shared', 'views.ts'), '');
      fs.utimesSync(
        path.join(root, 'shared', 'views.ts'),
        new Date(later.getTime() + 1000),
        new Date(later.getTime() + 1000),
      );
      expect(staleReason(root, out)).toMatch(/changed since the last build/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
