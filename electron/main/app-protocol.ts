/**
 * The renderer is served from the packaged files through a privileged custom scheme (app://fieldline/),
 * never from a dev server or file://: one fixed origin for IPC checks, and the strict CSP header on
 * every page. Paths are confined to the renderer folder (guards.ts).
 */
import fs from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME, mimeTypeOf, resolveAppAsset } from './guards.js';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

export function serveRenderer(rootDir: string, contentSecurityPolicy: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(rootDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await fs.readFile(file);
      return new Response(body, {
        headers: {
          'content-type': mimeTypeOf(file),
          'content-security-policy': contentSecurityPolicy,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
