import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

describe('hashPassword / verifyPassword', () => {
  it('round-trips: the right password verifies', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
  });

  it('rejects a wrong password, including near misses', async () => {
    const stored = await hashPassword('fieldline-demo');
    for (const wrong of ['fieldline-demO', 'fieldline-demo ', '', 'fieldline', 'x'.repeat(1000)]) {
      expect(await verifyPassword(wrong, stored), wrong).toBe(false);
    }
  });

  it('handles non-ASCII passwords', async () => {
    const stored = await hashPassword('pässwörd-🔐');
    expect(await verifyPassword('pässwörd-🔐', stored)).toBe(true);
    expect(await verifyPassword('passwort-🔐', stored)).toBe(false);
  });

  it('salts: two hashes of the same password differ, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('never stores the password itself, in any encoding', async () => {
    const password = 'fieldline-demo';
    const stored = await hashPassword(password);
    const forms = [
      password,
      Buffer.from(password).toString('base64'),
      Buffer.from(password).toString('base64url'),
      Buffer.from(password).toString('hex'),
    ];
    for (const form of forms) expect(stored.toLowerCase()).not.toContain(form.toLowerCase());
  });

  it('reads its parameters from the stored string, so older (cheaper) hashes keep verifying', async () => {
    const salt = crypto.randomBytes(16);
    const key = crypto.scryptSync('old password', salt, 32, { N: 2 ** 10, r: 8, p: 1 });
    const stored = ['scrypt', 10, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    expect(await verifyPassword('old password', stored)).toBe(true);
    expect(await verifyPassword('new password', stored)).toBe(false);
    // The same salt and hash under other parameters is a different hash.
    expect(await verifyPassword('old password', stored.replace('scrypt$10$', 'scrypt$11$'))).toBe(false);
  });

  it('rejects a tampered hash or salt', async () => {
    const stored = await hashPassword('pw');
    const parts = stored.split('$');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(await verifyPassword('pw', [...parts.slice(0, 5), flip(parts[5]!)].join('$'))).toBe(false);
    expect(await verifyPassword('pw', [...parts.slice(0, 4), flip(parts[4]!), parts[5]].join('$'))).toBe(false);
  });

  it('returns false, without throwing or hanging, for malformed stored strings', { timeout: 15_000 }, async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, hash] = good.split('$') as [string, string, string, string, string, string];
    const malformed: Record<string, string> = {
      empty: '',
      'no separators': 'plaintext-password',
      'the password itself': 'pw',
      'wrong algorithm': `bcrypt$15$8$1$${salt}$${hash}`,
      'algorithm in upper case': `SCRYPT$15$8$1$${salt}$${hash}`,
      'missing hash': `scrypt$15$8$1$${salt}`,
      'missing salt and hash': 'scrypt$15$8$1',
      'empty salt': `scrypt$15$8$1$$${hash}`,
      'empty hash': `scrypt$15$8$1$${salt}$`,
      'extra part': `${good}$extra`,
      'log N 40': `scrypt$40$8$1$${salt}$${hash}`,
      'log N 21': `scrypt$21$8$1$${salt}$${hash}`,
      'log N 0': `scrypt$0$8$1$${salt}$${hash}`,
      'log N 1': `scrypt$1$8$1$${salt}$${hash}`,
      'negative log N': `scrypt$-15$8$1$${salt}$${hash}`,
      'fractional log N': `scrypt$14.5$8$1$${salt}$${hash}`,
      'log N not a number': `scrypt$abc$8$1$${salt}$${hash}`,
      'log N Infinity': `scrypt$Infinity$8$1$${salt}$${hash}`,
      'r of a billion': `scrypt$15$1000000000$1$${salt}$${hash}`,
      'p of a billion': `scrypt$15$8$1000000000$${salt}$${hash}`,
      'r and p huge together': `scrypt$20$1024$1024$${salt}$${hash}`,
      'r zero': `scrypt$15$0$1$${salt}$${hash}`,
      'hash not base64url': `scrypt$15$8$1$${salt}$!!!!`,
      'hash one byte long': `scrypt$15$8$1$${salt}$AA`,
      'hash one character': 'scrypt$15$8$1$x$y',
    };
    for (const [name, stored] of Object.entries(malformed)) {
      const started = Date.now();
      await expect(verifyPassword('pw', stored), name).resolves.toBe(false);
      expect(Date.now() - started, `${name} took too long`).toBeLessThan(5_000);
    }
  });

  it('never accepts an empty or truncated hash, whatever the password', async () => {
    // A zero-length hash would make scrypt produce a zero-length key that "equals" it.
    for (const password of ['', 'pw', 'anything at all']) {
      expect(await verifyPassword(password, 'scrypt$15$8$1$c2FsdA$A')).toBe(false);
      expect(await verifyPassword(password, 'scrypt$10$8$1$c2FsdA$AAAA')).toBe(false);
    }
  });
});
