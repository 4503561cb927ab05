/**
 * The desktop shell itself, through Playwright's Electron driver: the window shows the packaged
 * renderer from app://fieldline with the security settings DESIGN.md requires, the preload exposes
 * only the app API, and a person can sign in. Runs where Electron's binary is installed; elsewhere
 * (this project's CI cannot download it) it is skipped and the renderer is covered in browser mode.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { electronBinary, electronNativeBinding } from '../scripts/electron-native.js';
import { startStackProcess, type StackProcess } from './support/stack-process.js';
import { keepScreenshot } from './support/screenshots.js';

const binary = electronBinary();
test.skip(
  !binary,
  'Electron’s binary is not installed (its download host is unreachable from this machine); ' +
    'the renderer and the app API are covered by the browser-mode specs.',
);

let stack: StackProcess;
let app: ElectronApplication;
let dir: string;

test.beforeAll(async () => {
  const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  expect(build.status).toBe(0);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldline-electron-'));
  fs.chmodSync(dir, 0o777);
  stack = await startStackProcess({ dataDir: path.join(dir, 'stack') });
  app = await electron.launch({
    args: [path.resolve('dist/electron/main/main.js')],
    env: {
      ...process.env,
      FIELDLINE_DATA_DIR: path.join(dir, 'app'),
      FIELDLINE_SERVER_URL: stack.gatewayUrl,
      FIELDLINE_SQLITE_BINDING: await electronNativeBinding(path.resolve('.')),
    },
  });
});

test.afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

test('the window is hardened and shows the app from its own origin', async () => {
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  expect(page.url()).toMatch(/^app:\/\/fieldline\//);
  // Node stays out of the page (nodeIntegration off, sandbox on) and the preload's objects are not
  // reachable (contextIsolation): the page sees only the two bridged functions.
  const exposed = await page.evaluate(() => ({
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
    api: Object.keys((window as unknown as { fieldline: object }).fieldline).sort(),
  }));
  expect(exposed).toEqual({ require: 'undefined', process: 'undefined', api: ['invoke', 'subscribe'] });
  // The CSP forbids eval and inline script.
  expect(
    await page.evaluate(() => {
      try {
        return eval('1 + 1');
      } catch {
        return 'blocked';
      }
    }),
  ).toBe('blocked');
  const refused = await page.evaluate(() =>
    (window as unknown as { fieldline: { invoke(c: string, i: unknown): Promise<unknown> } }).fieldline.invoke(
      'fs:read',
      {},
    ),
  );
  expect(refused).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
});

test('a technician signs in and sees their work', async () => {
  const page = await app.firstWindow();
  await page.getByLabel('Email').fill('tech@northwind.test');
  await page.getByLabel('Password').fill('fieldline-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForFunction(() => document.documentElement.dataset.syncIdle === 'true', null, { timeout: 120_000 });
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible();
  await keepScreenshot(page, 'electron-my-work');
});
