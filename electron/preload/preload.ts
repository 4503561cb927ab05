/**
 * The preload: the renderer's only door to main. It exposes exactly `window.fieldline` with
 * `invoke(channel, input)` and `subscribe(listener)` (shared/api/client.ts's Transport), refuses
 * channels and events outside the contract, and never hands the page ipcRenderer or its events.
 * Runs sandboxed, so it is bundled into one CommonJS file (scripts/build-electron.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
// names.ts, not contract.ts: the preload needs the names only, not zod and every schema.
import { isChannel, isEventName } from '../../shared/api/names.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../main/ipc-channels.js';

contextBridge.exposeInMainWorld('fieldline', {
  invoke(channel: unknown, input: unknown): Promise<unknown> {
    if (!isChannel(channel))
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown_channel', message: `"${String(channel)}" is not a channel of the app API.` },
      });
    return ipcRenderer.invoke(INVOKE_CHANNEL, channel, input);
  },
  subscribe(listener: (event: string, payload: unknown) => void): () => void {
    const forward = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (isEventName(name)) listener(name, payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => void ipcRenderer.off(EVENT_CHANNEL, forward);
  },
});
