// The one retry loop of delivery (issue 15: a straight data path). It runs one attempt after
// another until an attempt says it is done:
//   retryable      → wait: exponential backoff with full jitter (src/retry/backoff.ts), at least
//                    the server's Retry-After; the caller's position is held meanwhile (the bus
//                    hands nothing new to a sink whose batch is in hand: backpressure)
//   after max_attempts retryable answers (0 = for ever) → exhausted, reason
//                    `retries_exhausted:<the last reason>`: the caller refuses (dead-letters) what
//                    it was sending
//   `stop` aborted → no new attempt and no more waiting: stopped, nothing is done (the caller
//                    commits nothing; the records come again after the restart)
// `abort` is handed to every attempt: it cancels what is in flight. An attempt that throws is not
// caught here (the caller decides what a throw means: src/delivery/retry-writes.ts).
// Used by deliverChunks for every chunk and, through retryingWrite, for every sink's write.
import { backoffMs, sleep, type BackoffPolicy } from '../retry/backoff.ts';

/** When to stop (the bus's BatchSignals are these): start no new attempt once `stop` aborts; cancel what is in flight once `abort` does. */
export interface DeliverySignals {
  stop: AbortSignal;
  abort: AbortSignal;
}

/** `worker.retry`: the one policy of every retry. */
export type RetryPolicy = BackoffPolicy & { max_attempts: number };

/** What one attempt came to: done (with its value), or worth another attempt. */
export type AttemptOutcome<T> = { done: true; value: T } | { done: false; reason: string; retryAfterMs?: number };

/** How the loop ended, with the attempts it took. */
export type RetryOutcome<T> =
  | { kind: 'done'; value: T; attempts: number }
  | { kind: 'exhausted'; reason: string; attempts: number }
  | { kind: 'stopped'; attempts: number };

export interface RetryOptions<T> {
  /** Attempt number `attempt` (from 1); `signal` is `signals.abort`. */
  attempt(attempt: number, signal: AbortSignal): Promise<AttemptOutcome<T>>;
  retry: RetryPolicy;
  signals: DeliverySignals;
  random?: () => number;
  /** A retryable answer that will be retried (not exhausted), before the wait (logs). */
  onRetry?(attempt: number, failure: { reason: string; retryAfterMs?: number }): void;
}

export async function retryWithBackoff<T>(o: RetryOptions<T>): Promise<RetryOutcome<T>> {
  const random = o.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    const outcome = await o.attempt(attempt, o.signals.abort);
    if (outcome.done) return { kind: 'done', value: outcome.value, attempts: attempt };
    if (o.retry.max_attempts > 0 && attempt >= o.retry.max_attempts) return { kind: 'exhausted', reason: `retries_exhausted:${outcome.reason}`, attempts: attempt };
    o.onRetry?.(attempt, outcome);
    if (o.signals.stop.aborted) return { kind: 'stopped', attempts: attempt };
    await sleep(backoffMs(attempt, o.retry, random(), outcome.retryAfterMs), o.signals.stop);
    if (o.signals.stop.aborted) return { kind: 'stopped', attempts: attempt };
  }
}
