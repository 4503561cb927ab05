/**
 * The renderer's Content Security Policy, one builder for Electron and browser mode: only the app's
 * own scripts, styles and fonts; images also from data:/blob: (map tiles, photo previews); network
 * only to itself (plus, in browser mode, the bridge's event socket); no plugins, no framing, no
 * <base>, no form posts.
 */
export type CspOptions = {
  /** Extra connect-src sources, e.g. `ws://127.0.0.1:7400` for the bridge's event socket. */
  connectSrc?: readonly string[];
};

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'"],
    ['connect-src', "'self'", ...(opts.connectSrc ?? [])],
    ['worker-src', "'self'", 'blob:'],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['frame-ancestors', "'none'"],
    ['form-action', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}
