/** Reconnect delays for the bridge's event socket: doubling from `base`, capped, with jitter so tabs spread out. */
export type BackoffOptions = { baseMs: number; maxMs: number; jitter: number };

export const EVENT_SOCKET_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 10_000, jitter: 0.2 };

/** The delay before reconnect attempt `attempt` (0 = the first retry). `random` is in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const spread = exp * options.jitter * (random * 2 - 1);
  return Math.round(Math.min(options.maxMs, Math.max(0, exp + spread)));
}
