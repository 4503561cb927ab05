/** Main → renderer events of the contract, fanned out to every listener (IPC, bridge sockets, tests). */
import type { EventName, EventPayload } from '../../shared/api/contract.js';

export type HostListener = (event: EventName, payload: unknown) => void;

export class HostEvents {
  readonly #listeners = new Set<HostListener>();

  on(listener: HostListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of [...this.#listeners]) {
      try {
        l(event, payload);
      } catch (e) {
        // One broken listener (a closed window) must not keep the event from the others.
        console.error(`fieldline: a ${event} listener failed:`, e);
      }
    }
  }
}
