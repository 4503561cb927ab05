/** What the sign-in form says for each way signing in can fail. */
import type { ApiErrorCode } from '../../shared/api/result.js';

export function signInErrorMessage(code: ApiErrorCode | null, message: string, serverUrl: string): string {
  switch (code) {
    case 'invalid_credentials':
      return 'The email or password is not right. Check both and try again.';
    case 'unreachable':
      return `Cannot reach the server at ${serverUrl || 'that address'}. Check the address and your network connection.`;
    case 'rate_limited':
      return 'Too many sign-in attempts. Wait a minute, then try again.';
    case 'account_refused':
      return message || 'This account may not sign in. Ask your administrator.';
    case 'server_error':
      return `The server answered something unexpected. ${message}`.trim();
    default:
      return message || 'Signing in failed.';
  }
}
