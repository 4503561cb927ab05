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

/**
 * Writes `[first, …rest, tail]` as the response body, honouring backpressure. The messages are
 * already-encoded JSON; `first` was read ahead to learn whether the body is empty.
 */
export async function streamJsonArray(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  headers: Record<string, string>,
  first: string | undefined,
  rest: AsyncIterator<string>,
  tail: string | undefined,
): Promise<void> {
  res.writeHead(200, { ...baseHeaders(req), 'content-type': 'application/json', ...headers });
  // Messages are small; writing each alone costs more than encoding it. Batch into ~64 KiB writes.
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!pending.length) return;
    const text = pending.join('');
    pending = [];
    pendingBytes = 0;
    if (!res.write(text)) await drained(res);
  };
  const push = async (text: string) => {
    pending.push(text);
    pendingBytes += text.length;
    if (pendingBytes >= 65_536) await flush();
  };
  let sep = '[';
  try {
    if (first !== undefined) {
      await push(sep + first);
      sep = ',';
      for (let next = await rest.next(); !next.done && !res.destroyed; next = await rest.next())
        await push(',' + next.value);
    }
  } finally {
    await rest.return?.();
  }
  if (tail !== undefined) {
    await push(sep + tail);
    sep = ',';
  }
  await push(sep === '[' ? '[]' : ']');
  await flush();
  res.end();
}

/** Resolves when the socket wants more, or is gone; never leaves a listener behind. */
function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
