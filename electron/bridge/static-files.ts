/**
 * The renderer's built files (dist/renderer), served read-only: paths never leave the folder,
 * unknown routes get index.html (the app routes on the client), and index.html gets this run's
 * bridge token in `<meta name="fieldline-bridge-token" content="">` and is never cached.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.pmtiles': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

export const contentTypeOf = (file: string): string =>
  TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

const TOKEN_META = /<meta\s+name="fieldline-bridge-token"\s+content=""\s*\/?>/i;

export class MissingTokenMetaError extends Error {
  constructor(file: string) {
    super(`${file} has no <meta name="fieldline-bridge-token" content=""> for the bridge to fill in.`);
    this.name = 'MissingTokenMetaError';
  }
}

/** index.html with the token filled in. */
export function injectToken(html: string, token: string, file = 'index.html'): string {
  if (!TOKEN_META.test(html)) throw new MissingTokenMetaError(file);
  return html.replace(TOKEN_META, `<meta name="fieldline-bridge-token" content="${token}">`);
}

export type StaticTarget = { kind: 'file'; file: string } | { kind: 'index' } | { kind: 'not-found' };

/**
 * What a URL path maps to under `root`. Encoded traversal, NUL and backslashes are refused; a path
 * whose last segment has no dot (a client-side route) falls back to index.html, a missing asset
 * (`/assets/x.js`) is a 404 rather than HTML in a script's place.
 */
export function resolveStatic(root: string, urlPath: string): StaticTarget {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'not-found' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'not-found' };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { kind: 'not-found' };
  if (segments.length === 0 || (segments.length === 1 && segments[0] === 'index.html')) return { kind: 'index' };
  const file = path.join(root, ...segments);
  if (!file.startsWith(path.resolve(root) + path.sep)) return { kind: 'not-found' };
  try {
    if (fs.statSync(file).isFile()) return { kind: 'file', file };
  } catch {
    // not there
  }
  return segments.at(-1)!.includes('.') ? { kind: 'not-found' } : { kind: 'index' };
}

export function serveFile(res: ServerResponse, file: string, headers: Record<string, string>, head: boolean): void {
  const size = fs.statSync(file).size;
  res.writeHead(200, {
    ...headers,
    'Content-Type': contentTypeOf(file),
    'Content-Length': size,
    // Vite fingerprints assets; anything else is revalidated.
    'Cache-Control': /[.-][A-Za-z0-9_-]{8,}\.(js|css|woff2?)$/.test(file)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache',
  });
  if (head) return void res.end();
  fs.createReadStream(file).pipe(res);
}
