/**
 * Password hashing with scrypt (memory-hard; in Node's standard library, so no native addon).
 * Stored form: scrypt$<log2 N>$<r>$<p>$<salt base64url>$<hash base64url>; parameters travel with
 * the hash so they can be raised later without invalidating old hashes.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: crypto.ScryptOptions,
) => Promise<Buffer>;

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const maxmem = (logN: number, r: number) => 256 * r * 2 ** logN;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, { N: 2 ** LOG_N, r: R, p: P, maxmem: maxmem(LOG_N, R) });
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Room to raise the parameters later (8x today's work, 256 MiB) without letting a stored string demand minutes or gigabytes. */
const MAX_WORK = 2 ** 3 * 2 ** LOG_N * R * P;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  const [algo, logN, r, p, salt, hash] = parts;
  if (parts.length !== 6 || algo !== 'scrypt' || !salt || !hash) return false;
  const [n, rr, pp] = [Number(logN), Number(r), Number(p)];
  if (![n, rr, pp].every((x) => Number.isInteger(x) && x > 0) || n > 20 || 2 ** n * rr * pp > MAX_WORK) return false;
  const expected = Buffer.from(hash, 'base64url');
  // An empty or truncated hash would compare equal to an equally short key: never accept one.
  if (expected.length < 16) return false;
  try {
    const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
      N: 2 ** n,
      r: rr,
      p: pp,
      maxmem: maxmem(n, rr),
    });
    return crypto.timingSafeEqual(key, expected);
  } catch {
    return false; // parameters scrypt itself rejects
  }
}
