// A Datadog answer → what to do (sink-protocols.md §2.2, §2.4, §2.8): 2xx success; 408, 429, 5xx
// and no answer retried (Retry-After or X-RateLimit-Reset honoured); 413 split; 400, 401, 403
// and other 4xx refused for good (a 400 narrowed down to the bad event by splitting). Pure.
import type { ChunkVerdict } from '../../delivery/deliver-chunks.ts';
import type { HttpOutcome } from '../../delivery/http-client.ts';
import { retryAfterMs } from '../../retry/retry-after.ts';

export function classifyDatadogResponse(outcome: HttpOutcome, nowMs: number): ChunkVerdict {
  if (!outcome.ok) return { kind: 'retryable', reason: outcome.reason };
  const { status } = outcome;
  const reason = `http_${status}`;
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (status === 408 || status === 429 || status >= 500) {
    const after = retryAfterMs(outcome.headers['retry-after'], nowMs) ?? retryAfterMs(outcome.headers['x-ratelimit-reset'], nowMs);
    return after === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, retryAfterMs: after };
  }
  if (status === 413) return { kind: 'too_large', reason };
  // Bad data in a request of several events: find the bad one by splitting (the others get through).
  return status === 400 ? { kind: 'permanent', reason, isolate: true } : { kind: 'permanent', reason };
}
