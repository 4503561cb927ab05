/**
 * Small helpers shared by the gateway's routes: bounded JSON bodies and the error envelope
 * `{error: {code, message}}` that every gateway error uses (DESIGN.md, gateway HTTP API).
 */
import type http from 'node:http';

export const DEFAULT_BODY_LIMIT = 16 * 1024;

/** An error that maps to one HTTP response; `message` is shown to the client, so keep internals out. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Reads and parses a JSON request body of at most `limit` bytes. Throws HttpError: 413
 * `payload_too_large`, 415 `unsupported_media_type` (a declared non-JSON type), 400 `invalid_json`.
 * Requiring JSON also keeps cross-site HTML forms out: they cannot send application/json without CORS.
 */
export async function readJsonBody(req: http.IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as JSON (content-type: application/json).');
  }
  // Closing the connection stops an oversized upload instead of reading it all just to discard it.
  const tooLarge = () =>
    new HttpError(413, 'payload_too_large', `The request body is larger than ${limit} bytes.`, { connection: 'close' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();

  const body = await readLimited(req, limit, tooLarge);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid UTF-8.');
  }
  if (!text.trim()) throw new HttpError(400, 'invalid_json', 'The request body is empty; send a JSON object.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}

/**
 * Event listeners rather than `for await`: leaving an async iterator early destroys the request and
 * with it the socket, and the client would see a reset instead of the 413.
 */
function readLimited(req: http.IncomingMessage, limit: number, tooLarge: () => HttpError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (req.readableEnded) return resolve(Buffer.alloc(0));
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      finish(tooLarge());
    };
    const onEnd = () => finish();
    const onClose = () => finish(new HttpError(400, 'request_aborted', 'The request body was cut off.'));
    req.on('data', onData).on('end', onEnd).on('error', finish).on('close', onClose);
  });
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Errors are never cacheable: a cached 401 or 429 would outlive its cause. */
export function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, { 'cache-control': 'no-store', ...headers });
}

/**
 * Answers with an HttpError's status, code, message and headers; anything else is a bug or an outage
 * and becomes a 500 whose message reveals nothing, while `onUnexpected` gets the real error to log.
 */
export function sendFailure(
  res: http.ServerResponse,
  error: unknown,
  onUnexpected: (error: unknown) => void = (e) => console.error(e),
): void {
  if (error instanceof HttpError) {
    sendError(res, error.status, error.code, error.message, error.headers);
    return;
  }
  onUnexpected(error);
  sendError(res, 500, 'internal_error', 'The server could not complete the request. Try again in a moment.');
}
