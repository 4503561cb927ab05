/**
 * The calling side of the app API over any transport (Electron's preload, the browser-mode bridge):
 * typed `invoke` that resolves with the value or rejects with an ApiError, and typed `on`.
 * Answers and event payloads are checked on arrival; a malformed one is an `internal` error.
 */
import { events, isEventName, type AppApi, type EventName, type EventPayload } from './contract.js';
import { ApiError, apiResultSchema } from './result.js';

export type Transport = {
  invoke(channel: string, input: unknown): Promise<unknown>;
  /** Every main → renderer event; returns an unsubscribe function. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
};

export function createAppApi(transport: Transport): AppApi {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let unsubscribe: (() => void) | undefined;

  const ensureSubscribed = () => {
    unsubscribe ??= transport.subscribe((event, payload) => {
      if (!isEventName(event)) return;
      const parsed = events[event].safeParse(payload);
      if (!parsed.success) return; // a malformed event is dropped, never half-applied to a screen
      for (const l of listeners.get(event) ?? []) (l as (p: unknown) => void)(parsed.data);
    });
  };

  return {
    async invoke(channel, input) {
      const raw = await transport.invoke(channel, input);
      const result = apiResultSchema.safeParse(raw);
      if (!result.success) throw new ApiError('internal', `${channel}: the answer was malformed.`);
      if (!result.data.ok) throw new ApiError(result.data.error.code, result.data.error.message);
      return result.data.value as never;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      ensureSubscribed();
      return () => {
        set.delete(listener as (payload: never) => void);
        if ([...listeners.values()].every((s) => s.size === 0)) {
          unsubscribe?.();
          unsubscribe = undefined;
        }
      };
    },
  };
}
