/**
 * The HS256 signing secret for access tokens. As with Supabase and PostgREST, the secret is a string
 * and its UTF-8 bytes are the HMAC key, so a Supabase project's JWT secret can be used unchanged.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
export const MIN_SECRET_BYTES = 32;
export const SECRET_FILE_NAME = 'jwt-secret';

export type JwtSecret = {
  /** The HMAC key. */
  key: Uint8Array;
  /** Where it came from: the environment, a file written by an earlier start, or generated now. */
  source: 'env' | 'file' | 'generated';
  /** The file holding it (absent when it came from the environment). */
  file?: string;
};

export class JwtSecretError extends Error {
  constructor(
    readonly code: 'jwt_secret_too_short' | 'jwt_secret_file_unreadable',
    message: string,
  ) {
    super(message);
  }
}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/**
 * JWT_SECRET from `env` when set; otherwise the secret persisted at `<dataDir>/jwt-secret`, generated
 * (32 random bytes, base64url) and written with mode 0600 on the first start. Tokens therefore stay
 * valid across restarts of one data dir without any configuration.
 */
export function loadJwtSecret({
  env,
  dataDir,
}: {
  env: Readonly<Record<string, string | undefined>>;
  dataDir: string;
}): JwtSecret {
  const fromEnv = env.JWT_SECRET;
  if (fromEnv !== undefined) {
    const key = keyOf(fromEnv);
    if (key.length < MIN_SECRET_BYTES) {
      throw new JwtSecretError(
        'jwt_secret_too_short',
        `JWT_SECRET is ${key.length} bytes; HS256 needs at least ${MIN_SECRET_BYTES}. ` +
          `Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))", ` +
          `or unset JWT_SECRET to have one generated in the data dir.`,
      );
    }
    return { key, source: 'env' };
  }

  const file = path.join(dataDir, SECRET_FILE_NAME);
  if (fs.existsSync(file)) return { key: readSecretFile(file), source: 'file', file };
  fs.mkdirSync(dataDir, { recursive: true });
  const generated = crypto.randomBytes(32).toString('base64url');
  // Written aside, then hard-linked into place: the link fails if the file exists, so two processes
  // starting at once agree on one secret, and neither can read a half-written file.
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, `${generated}\n`, { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
    return { key: keyOf(generated), source: 'generated', file };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return { key: readSecretFile(file), source: 'file', file };
}

function readSecretFile(file: string): Uint8Array {
  // Anyone who can read the secret can mint tokens for any user: keep it owner-only.
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const secret = fs.readFileSync(file, 'utf8').trim();
  const key = keyOf(secret);
  if (key.length < MIN_SECRET_BYTES) {
    throw new JwtSecretError(
      'jwt_secret_file_unreadable',
      `${file} holds ${key.length} bytes, fewer than the ${MIN_SECRET_BYTES} an HS256 secret needs (truncated or hand-edited?). ` +
        `Delete it to have a new one generated (this signs out every user), or set JWT_SECRET.`,
    );
  }
  return key;
}
