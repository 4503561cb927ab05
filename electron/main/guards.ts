/**
 * The checks the Electron shell makes before it trusts a URL or a file path. Plain functions (no
 * Electron import) so they are tested in Node: a window only ever shows the app's own origin, an
 * IPC call is answered only for a frame of that origin, and only plain web links leave the app.
 */
import path from 'node:path';

/** The renderer's origin: a custom, privileged scheme serving the packaged files (never a dev server). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'fieldline';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for a URL of the app's own origin (the only one windows may show and IPC may answer). */
export function isAppUrl(url: string | undefined | null): boolean {
  const u = url ? parse(url) : null;
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
}

/**
 * The link to hand to the operating system, or null: only http(s) with a host, no credentials in
 * it. Everything else (file:, javascript:, custom schemes that launch programs) stays refused.
 */
export function safeExternalUrl(url: string): string | null {
  const u = parse(url);
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:')) return null;
  if (!u.hostname || u.username || u.password) return null;
  return u.toString();
}

/**
 * The file under `rootDir` an app URL names, or null when it would leave the folder (`..`, encoded
 * separators, absolute paths). An unknown path without an extension is the single-page app's route:
 * index.html answers it.
 */
export function resolveAppAsset(rootDir: string, url: string): string | null {
  const u = parse(url);
  if (!u || !isAppUrl(url)) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, '.' + path.posix.normalize(rel));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  if (!path.extname(file)) return path.join(root, 'index.html');
  return file;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.pmtiles': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

export const mimeTypeOf = (file: string): string =>
  MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
