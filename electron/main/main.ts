/**
 * Electron's main process: one instance per user, a hardened window showing the packaged renderer
 * from app://fieldline/, and the app API (electron/services, the same code browser mode runs)
 * answered over IPC. The sync engine runs in its own worker thread inside AppHost, so a large
 * initial sync never stalls window events.
 *
 * Environment: FIELDLINE_DATA_DIR (default: Electron's userData folder), FIELDLINE_SERVER_URL
 * (the server offered on first sign-in; `npm start` sets it to the local stack).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, Menu } from 'electron';
import { AppHost } from '../services/app-host.js';
import { contentSecurityPolicy } from '../services/csp.js';
import { describeError } from '../services/describe-error.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { saveCsvWithDialog } from './csv-save.js';
import { broadcast, serveAppApi } from './ipc.js';
import { buildMenu } from './menu.js';
import { SafeStorageTokenStore } from './safe-storage-token-store.js';
import { createMainWindow, hardenWebContents } from './window.js';

// Bundled by scripts/build-electron.ts into dist/electron/: main.js, preload.cjs, engine-worker.js;
// the renderer's build sits beside it in dist/renderer.
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.resolve(here, '../renderer');
const preload = path.join(here, 'preload.cjs');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  let host: AppHost | undefined;
  let window: BrowserWindow | undefined;

  const showWindow = () => {
    if (!window || window.isDestroyed()) window = createMainWindow({ preload, title: 'Fieldline' });
    if (window.isMinimized()) window.restore();
    window.focus();
  };

  app.on('second-instance', showWindow);

  app.whenReady().then(async () => {
    hardenWebContents();
    serveRenderer(rendererDir, contentSecurityPolicy());
    const dataDir = process.env.FIELDLINE_DATA_DIR ?? app.getPath('userData');
    host = await AppHost.open({
      dataDir,
      mode: 'electron',
      version: app.getVersion(),
      tokenStore: new SafeStorageTokenStore(dataDir),
      defaultServerUrl: process.env.FIELDLINE_SERVER_URL ?? null,
      saveCsv: (name, csv) => saveCsvWithDialog(BrowserWindow.getFocusedWindow(), name, csv),
    });
    const handlers = host.handlers;
    serveAppApi(handlers, describeError);
    host.on((event, payload) => broadcast(event, payload));
    Menu.setApplicationMenu(
      buildMenu({
        navigate: (to) => broadcast('app:navigate', { to }),
        syncNow: () => void handlers['sync:retry']({}),
        docsUrl: 'https://github.com/fieldline-app/fieldline#readme',
      }),
    );
    showWindow();
  }, fail);

  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && app.isReady() && showWindow());
  app.on('window-all-closed', () => process.platform !== 'darwin' && app.quit());

  // Close the replica and stop the engine before quitting, so the last batch is committed.
  let closing = false;
  app.on('will-quit', (event) => {
    if (closing || !host) return;
    closing = true;
    event.preventDefault();
    host.close().finally(() => app.quit());
  });
}

function fail(e: unknown): void {
  console.error('Fieldline could not start:', e);
  app.exit(1);
}
