import type http from 'node:http';
import {
  ACCESS_CONTROL_ALLOW_METHODS,
  ACCESS_CONTROL_ALLOW_ORIGIN,
  ACCESS_CONTROL_EXPOSE_HEADERS,
  CORS_EXPOSE_HEADERS_VALUE,
  ELECTRIC_SERVER,
} from '../protocol/headers.js';

export const SERVER_NAME = 'ElectricSQL/1.1.0-fieldline';

/** Headers every response carries: server name and CORS (a webview cannot read electric-* headers without the expose list). */
export function baseHeaders(req: http.IncomingMessage): Record<string, string> {
  return {
    [ELECTRIC_SERVER]: SERVER_NAME,
    [ACCESS_CONTROL_ALLOW_ORIGIN]: req.headers.origin ?? '*',
    [ACCESS_CONTROL_ALLOW_METHODS]: 'GET, POST, HEAD, DELETE, OPTIONS',
    [ACCESS_CONTROL_EXPOSE_HEADERS]: CORS_EXPOSE_HEADERS_VALUE,
  };
}

export function send(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  body: string | undefined,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const all = { ...baseHeaders(req), ...headers };
  if (body !== undefined && !('content-type' in all)) all['content-type'] = 'application/json';
  res.writeHead(status, all);
  res.end(req.method === 'HEAD' ? undefined : body);
}

export const json = (value: unknown) => JSON.stringify(value);
