/**
 * The app window and the rules every web contents obeys: context isolation and the sandbox on,
 * Node off, no navigation away from the app's origin, no new windows (web links go to the
 * system browser after safeExternalUrl), no permission prompts (camera, geolocation … are refused),
 * no <webview>.
 */
import { app, BrowserWindow, session, shell, type WebContents } from 'electron';
import { APP_ENTRY, isAppUrl, safeExternalUrl } from './guards.js';
import { secureWebPreferences } from './web-preferences.js';

export type WindowOptions = { preload: string; title: string };

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: opts.title,
    show: false,
    backgroundColor: '#1b1f24',
    webPreferences: secureWebPreferences(opts.preload),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY);
  return win;
}

function openExternally(url: string): void {
  const safe = safeExternalUrl(url);
  if (safe) void shell.openExternal(safe);
}

function guard(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    openExternally(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
}

/** Call once, before the first window: applies to every web contents the app ever creates. */
export function hardenWebContents(): void {
  app.on('web-contents-created', (_e, contents) => guard(contents));
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
