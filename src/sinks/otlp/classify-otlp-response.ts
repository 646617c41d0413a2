// An OTLP/HTTP answer → what to do (sink-protocols.md §3.4): 2xx success (a partial success is
// counted and never retried), 429/502/503/504 and no answer retried (Retry-After honoured), 413
// split, 400 narrowed down to the bad event by splitting, every other status refused for good. Pure.
import type { ChunkVerdict } from '../../delivery/deliver-chunks.ts';
import type { HttpOutcome } from '../../delivery/http-client.ts';
import { retryAfterMs } from '../../retry/retry-after.ts';

const RETRYABLE = new Set([429, 502, 503, 504]);

function partialSuccess(body: string): { rejected: number; message?: string } | undefined {
  try {
    const p = (JSON.parse(body) as { partialSuccess?: { rejectedDataPoints?: number | string; errorMessage?: string } }).partialSuccess;
    if (p === undefined || p === null) return undefined;
    const rejected = Number(p.rejectedDataPoints ?? 0);
    if (rejected === 0 && (p.errorMessage ?? '') === '') return undefined;
    return { rejected, ...(p.errorMessage ? { message: p.errorMessage } : {}) };
  } catch {
    return undefined; // an unreadable 2xx body is still a success (the spec's clients do the same)
  }
}

export function classifyOtlpResponse(outcome: HttpOutcome, nowMs: number): ChunkVerdict {
  if (!outcome.ok) return { kind: 'retryable', reason: outcome.reason };
  const { status } = outcome;
  if (status >= 200 && status < 300) {
    const p = partialSuccess(outcome.body);
    return p === undefined ? { kind: 'success' } : { kind: 'success', rejectedItems: p.rejected, ...(p.message === undefined ? {} : { warning: p.message }) };
  }
  if (RETRYABLE.has(status)) {
    const after = retryAfterMs(outcome.headers['retry-after'], nowMs);
    return after === undefined ? { kind: 'retryable', reason: `http_${status}` } : { kind: 'retryable', reason: `http_${status}`, retryAfterMs: after };
  }
  if (status === 413) return { kind: 'too_large', reason: 'http_413' };
  // Bad data in a request of several events: find the bad one by splitting (the others get through).
  return status === 400 ? { kind: 'permanent', reason: 'http_400', isolate: true } : { kind: 'permanent', reason: `http_${status}` };
}
