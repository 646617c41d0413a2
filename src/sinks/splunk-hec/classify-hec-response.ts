// A HEC answer → what to do (sink-protocols.md §1.7, §1.12): 2xx with code 0 success; 503 (code
// 9), 429, 500, 502, 504 and no answer retried (Retry-After honoured); 413 split; a 400 naming
// `invalid-event-number` refuses that event only; other 4xx refused for good. Pure.
import type { ChunkVerdict } from '../../delivery/deliver-chunks.ts';
import type { HttpOutcome } from '../../delivery/http-client.ts';
import { retryAfterMs } from '../../retry/retry-after.ts';

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export interface HecAnswer {
  text?: string;
  code?: number;
  ackId?: number;
  'invalid-event-number'?: number;
}

export function parseHecAnswer(body: string): HecAnswer {
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === 'object' && v !== null ? (v as HecAnswer) : {};
  } catch {
    return {};
  }
}

/**
 * A 200 answer of the indexer-ack poll (`{"acks":{"<id>":true|false}}`, sink-protocols.md §1.6)
 * for one ackId: `indexed`, `pending` (false, or the id left out), or `unreadable` when the body
 * is not that shape (not JSON, a proxy's page, a cut-off body): it says nothing about the request.
 */
export function ackStatus(body: string, ackId: number): 'indexed' | 'pending' | 'unreadable' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'unreadable';
  }
  const acks = typeof parsed === 'object' && parsed !== null ? (parsed as { acks?: unknown }).acks : undefined;
  if (typeof acks !== 'object' || acks === null || Array.isArray(acks)) return 'unreadable';
  return Object.hasOwn(acks, String(ackId)) && (acks as Record<string, unknown>)[String(ackId)] === true ? 'indexed' : 'pending';
}

export function classifyHecResponse(outcome: HttpOutcome, nowMs: number): ChunkVerdict {
  if (!outcome.ok) return { kind: 'retryable', reason: outcome.reason };
  const { status } = outcome;
  const answer = parseHecAnswer(outcome.body);
  const reason = `http_${status}${answer.code === undefined ? '' : `_code_${answer.code}`}`;
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (RETRYABLE.has(status)) {
    const after = retryAfterMs(outcome.headers['retry-after'], nowMs);
    return after === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, retryAfterMs: after };
  }
  if (status === 413) return { kind: 'too_large', reason };
  const bad = answer['invalid-event-number'];
  if (status === 400 && typeof bad === 'number' && Number.isInteger(bad) && bad >= 0) return { kind: 'reject_item', index: bad, reason };
  return { kind: 'permanent', reason };
}
