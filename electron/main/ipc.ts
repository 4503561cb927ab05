/**
 * The app API over Electron IPC: one invoke handler that answers only frames of the app's own
 * origin (a navigated-away or injected frame gets nothing) and hands everything else to the shared
 * dispatch (channel check, zod input parse, ApiResult). Events go to every app window.
 */
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { Handlers } from '../../shared/api/contract.js';
import { dispatch, type DescribeError } from '../../shared/api/dispatch.js';
import { fail } from '../../shared/api/result.js';
import { isAppUrl } from './guards.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipc-channels.js';

export function serveAppApi(handlers: Handlers, describeError: DescribeError): () => void {
  ipcMain.handle(INVOKE_CHANNEL, (event: IpcMainInvokeEvent, channel: unknown, input: unknown) => {
    if (!isAppUrl(event.senderFrame?.url)) return fail('forbidden', 'The app API answers only the app’s own pages.');
    return dispatch(handlers, channel, input, describeError);
  });
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

export function broadcast(event: string, payload: unknown): void {
  for (const win of BrowserWindow.getAllWindows()) {
    const contents = win.webContents;
    if (!contents.isDestroyed() && isAppUrl(contents.getURL())) contents.send(EVENT_CHANNEL, event, payload);
  }
}
