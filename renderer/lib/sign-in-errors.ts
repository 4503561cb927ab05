/** What the sign-in form says for each way signing in can fail. */
import type { ApiErrorCode } from '../../shared/api/result.js';

const FIELD_LABEL: Record<string, string> = { serverUrl: 'Server address', email: 'Email', password: 'Password' };

/** "session:sign-in: email: Too small…" → "Email: Too small…"; the server address message is a sentence already. */
function describeBadInput(message: string): string {
  const match = /^[\w:-]+?: (\w+): (.*)$/s.exec(message);
  if (!match) return message || 'Check the fields and try again.';
  const [, field = '', text = ''] = match;
  if (field === 'serverUrl') return text;
  return `${FIELD_LABEL[field] ?? field}: ${text}`;
}

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
    case 'bad_input':
      return describeBadInput(message);
    case 'server_error':
      return `The server answered something unexpected. ${message}`.trim();
    default:
      return message || 'Signing in failed.';
  }
}
