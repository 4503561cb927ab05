/** Screenshots the tests keep on purpose (not only on failure): artifacts/screenshots/<name>.png. */
import path from 'node:path';
import type { Page } from '@playwright/test';

export const SCREENSHOT_DIR = path.resolve('artifacts/screenshots');

export async function keepScreenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // The viewport, as a person sees it: the app scrolls inside its own panes, so a full-page shot adds nothing.
  await page.screenshot({ path: file });
  return file;
}
