import { describe, expect, it } from 'vitest';
import { resultFromHttp } from './bridge-results.js';

describe('resultFromHttp', () => {
  it('passes a 200 body through untouched', () => {
    const body = { ok: true, value: 1 };
    expect(resultFromHttp(200, body)).toBe(body);
  });

  it('keeps a refusal code of the contract and its message', () => {
    expect(resultFromHttp(413, { error: { code: 'bad_input', message: 'Too big.' } })).toEqual({
      ok: false,
      error: { code: 'bad_input', message: 'Too big.' },
    });
  });

  it('maps codes outside the contract by status, and fills in a message', () => {
    expect(resultFromHttp(401, { error: { code: 'bad_token', message: 'Bad token.' } })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'Bad token.' },
    });
    const r = resultFromHttp(403, null) as { ok: false; error: { code: string; message: string } };
    expect(r.error.code).toBe('forbidden');
    expect(r.error.message).toMatch(/Reload the page/);
    expect(resultFromHttp(502, 'nope')).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
