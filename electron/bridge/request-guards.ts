/**
 * Who may talk to the bridge: only a page this bridge served, on this machine. The Host header must
 * name the bridge itself (a DNS-rebinding page on evil.example resolving to 127.0.0.1 sends its own
 * host), an Origin, when sent, must be the bridge's, and API calls carry the per-run token that only
 * the served index.html holds.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The per-run token: 256 bits from the OS's CSPRNG, URL- and subprotocol-safe. */
export const newBridgeToken = (): string => crypto.randomBytes(32).toString('base64url');

export const allowedHosts = (port: number): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && allowedHosts(port).has(host);
}

/** No Origin (same-origin navigation, curl) is fine; a foreign one is not. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return [...allowedHosts(port)].some((h) => origin.toLowerCase() === `http://${h}`);
}

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

export const SUBPROTOCOL_PREFIX = 'fieldline.';

/** The token carried in the WebSocket subprotocol `fieldline.<token>`, if one was offered. */
export function subprotocolToken(protocols: Iterable<string>): string | undefined {
  for (const p of protocols) if (p.startsWith(SUBPROTOCOL_PREFIX)) return p.slice(SUBPROTOCOL_PREFIX.length);
  return undefined;
}
