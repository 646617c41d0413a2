// Exponential backoff with full jitter, honouring a server's Retry-After. Pure.

export interface BackoffPolicy {
  initial_backoff_ms: number;
  max_backoff_ms: number;
}

/** Wait before attempt `attempt + 1`, after `attempt` (≥ 1) failures. `random` ∈ [0, 1). */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.max_backoff_ms, policy.initial_backoff_ms * 2 ** Math.min(attempt - 1, 30));
  const jittered = Math.max(1, Math.floor(random * ceiling));
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
