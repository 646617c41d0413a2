// HTTP outcomes as a sink's response classifier is given them (src/delivery/http-client.ts), for
// the classifier tables of test/unit/sinks/<sink>/classify-<sink>-response.test.ts.
import type { HttpOutcome } from '../../src/delivery/http-client.ts';

/** The classifiers' "now" (Retry-After dates, time windows). */
export const NOW = Date.UTC(2026, 10, 27);
/** An answer: status, body, headers. */
export const res = (status: number, body = '', headers: Record<string, string> = {}): HttpOutcome => ({ ok: true, status, body, headers, ms: 1 });
/** No answer (network error, timeout). */
export const none = (reason: string): HttpOutcome => ({ ok: false, reason, ms: 1 });
/** A classifier case: its name, the outcome, the verdict expected. */
export type ClassifierCase = [string, HttpOutcome, unknown];
