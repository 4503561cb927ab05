import { describe, expect, it } from 'vitest';
import { signInErrorMessage } from './sign-in-errors.js';

describe('signInErrorMessage', () => {
  it('explains the three everyday failures in plain words', () => {
    expect(signInErrorMessage('invalid_credentials', 'x', 'http://s')).toMatch(/email or password is not right/);
    expect(signInErrorMessage('unreachable', 'x', 'http://gw.example:7410')).toMatch(
      /Cannot reach the server at http:\/\/gw\.example:7410/,
    );
    expect(signInErrorMessage('rate_limited', 'x', 'http://s')).toMatch(/Too many sign-in attempts/);
  });

  it('names the field a bad input is about, without the channel', () => {
    expect(
      signInErrorMessage(
        'bad_input',
        'session:sign-in: serverUrl: The server address must start with http:// or https://.',
        'x',
      ),
    ).toBe('The server address must start with http:// or https://.');
    expect(signInErrorMessage('bad_input', 'session:sign-in: email: Too small', '')).toBe('Email: Too small');
  });

  it("falls back to the API's own message", () => {
    expect(signInErrorMessage('bad_input', 'something else', '')).toBe('something else');
    expect(signInErrorMessage(null, '', '')).toBe('Signing in failed.');
  });
});
