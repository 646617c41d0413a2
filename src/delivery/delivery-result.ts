// What a sink says about one batch. Values, not exceptions: the shared worker machinery decides
// what to do (commit, retry with backoff, dead-letter).

import type { BusRecord } from '../bus/bus.ts';

/** A record a backend refused for good (or that could not be sent), with why: dead-lettered. */
export interface RefusedRecord {
  record: BusRecord;
  reason: string;
}

export type DeliveryResult =
  | { status: 'success' }
  /** Everything was delivered except what was refused; the refused records are dead-lettered. */
  | { status: 'partial'; refused: RefusedRecord[] }
  | { status: 'retryable'; reason: string; retryAfterMs?: number }
  | { status: 'permanent'; reason: string };

export const SUCCESS: DeliveryResult = Object.freeze({ status: 'success' });

export function retryable(reason: string, retryAfterMs?: number): DeliveryResult {
  return retryAfterMs === undefined ? { status: 'retryable', reason } : { status: 'retryable', reason, retryAfterMs };
}

export function partial(refused: RefusedRecord[]): DeliveryResult {
  return refused.length === 0 ? SUCCESS : { status: 'partial', refused };
}

export function permanent(reason: string): DeliveryResult {
  return { status: 'permanent', reason };
}
