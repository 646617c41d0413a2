// What a sink says about one batch. Values, not exceptions: delivery retries what is retryable
// (retry-with-backoff.ts), the consumer commits and dead-letters the rest.

/** What delivery needs of a record: its id. Delivery is generic over the records it carries (bus records, for the sinks). */
export interface Identified {
  readonly id: string;
}

/** A record a backend refused for good (or that could not be sent), with why: dead-lettered. */
export interface RefusedRecord<R extends Identified = Identified> {
  record: R;
  reason: string;
  /** The attempts made before it was refused (the dead letter's `attempts`); 1 when not given. */
  attempts?: number;
}

export type DeliveryResult<R extends Identified = Identified> =
  | { status: 'success' }
  /** Everything was delivered except what was refused; the refused records are dead-lettered. */
  | { status: 'partial'; refused: RefusedRecord<R>[] }
  | { status: 'retryable'; reason: string; retryAfterMs?: number }
  /** Nothing of it can be delivered: every record is dead-lettered, `attempts` (1 when not given) recorded. */
  | { status: 'permanent'; reason: string; attempts?: number };

export const SUCCESS: DeliveryResult<never> = Object.freeze({ status: 'success' });

export function retryable(reason: string, retryAfterMs?: number): DeliveryResult<never> {
  return retryAfterMs === undefined ? { status: 'retryable', reason } : { status: 'retryable', reason, retryAfterMs };
}

export function partial<R extends Identified>(refused: RefusedRecord<R>[]): DeliveryResult<R> {
  return refused.length === 0 ? SUCCESS : { status: 'partial', refused };
}

export function permanent(reason: string): DeliveryResult<never> {
  return { status: 'permanent', reason };
}
