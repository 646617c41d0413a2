// What a sink says about one batch. Values, not exceptions: the shared worker machinery decides
// what to do (commit, retry with backoff, dead-letter).

export type DeliveryResult =
  | { status: 'success' }
  | { status: 'retryable'; reason: string; retryAfterMs?: number }
  | { status: 'permanent'; reason: string };

export const SUCCESS: DeliveryResult = Object.freeze({ status: 'success' });

export function retryable(reason: string, retryAfterMs?: number): DeliveryResult {
  return retryAfterMs === undefined ? { status: 'retryable', reason } : { status: 'retryable', reason, retryAfterMs };
}

export function permanent(reason: string): DeliveryResult {
  return { status: 'permanent', reason };
}
