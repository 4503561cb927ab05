import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/temp-dir.js';
import { JwtSecretError, MIN_SECRET_BYTES, SECRET_FILE_NAME, loadJwtSecret } from './secret.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = makeTempDir('jwt-secret');
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('loadJwtSecret', () => {
  it('generates a secret on the first start, stores it owner-only, and reuses it on the next', () => {
    const dataDir = path.join(tempDir(), 'not-yet-created');
    const first = loadJwtSecret({ env: {}, dataDir });
    const file = path.join(dataDir, SECRET_FILE_NAME);
    expect(first).toMatchObject({ source: 'generated', file });
    expect(first.key.length).toBeGreaterThanOrEqual(MIN_SECRET_BYTES);
    expect(fs.readFileSync(file, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    if (process.platform !== 'win32') expect(modeOf(file)).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual([SECRET_FILE_NAME]); // no temp file left behind

    const second = loadJwtSecret({ env: {}, dataDir });
    expect(second.source).toBe('file');
    expect(Buffer.from(second.key).equals(Buffer.from(first.key))).toBe(true);
  });

  it('two data dirs get different secrets', () => {
    const a = loadJwtSecret({ env: {}, dataDir: tempDir() });
    const b = loadJwtSecret({ env: {}, dataDir: tempDir() });
    expect(Buffer.from(a.key).equals(Buffer.from(b.key))).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('tightens a secret file others can read back to 0600', () => {
    const dataDir = tempDir();
    loadJwtSecret({ env: {}, dataDir });
    const file = path.join(dataDir, SECRET_FILE_NAME);
    fs.chmodSync(file, 0o644);
    loadJwtSecret({ env: {}, dataDir });
    expect(modeOf(file)).toBe(0o600);
  });

  it('prefers JWT_SECRET and writes nothing; its UTF-8 bytes are the key', () => {
    const dataDir = tempDir();
    const secret = 'é'.repeat(16); // 16 characters, 32 bytes
    const loaded = loadJwtSecret({ env: { JWT_SECRET: secret }, dataDir });
    expect(loaded.source).toBe('env');
    expect(Buffer.from(loaded.key).toString('utf8')).toBe(secret);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('refuses a JWT_SECRET shorter than 32 bytes with an actionable error', () => {
    const err = catchError(() => loadJwtSecret({ env: { JWT_SECRET: 'x'.repeat(31) }, dataDir: tempDir() }));
    expect(err).toBeInstanceOf(JwtSecretError);
    expect(err).toMatchObject({ code: 'jwt_secret_too_short' });
    expect((err as Error).message).toMatch(/JWT_SECRET is 31 bytes; HS256 needs at least 32/);
    expect(() => loadJwtSecret({ env: { JWT_SECRET: '' }, dataDir: tempDir() })).toThrow(JwtSecretError);
  });

  it('refuses a truncated secret file instead of signing with a weak key', () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, SECRET_FILE_NAME), 'short\n', { mode: 0o600 });
    const err = catchError(() => loadJwtSecret({ env: {}, dataDir }));
    expect(err).toMatchObject({ code: 'jwt_secret_file_unreadable' });
    expect((err as Error).message).toMatch(/Delete it to have a new one generated/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
