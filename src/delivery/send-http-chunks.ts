// What every HTTP sink's `write` does, written once: cut the items into chunks (count, bytes),
// and for each chunk encode → compress → POST → classify, through the shared engine
// (deliver-chunks.ts: retries, backoff, Retry-After, split, refusals, concurrency), with the
// per-sink metrics and logs. The sink supplies only its pure parts: size, encoder, request
// shape and response classifier.
import type { Logger } from 'pino';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import { chunkItems } from './chunk-items.ts';
import { compressBody, contentEncoding } from './compress-body.ts';
import { deliverChunks, type ChunkVerdict } from './deliver-chunks.ts';
import type { DeliveryResult, Identified } from './delivery-result.ts';
import type { HttpClient, HttpOutcome } from './http-client.ts';
import type { HttpDeliveryConfig } from './http-delivery-config.ts';
import type { DeliverySignals, RetryPolicy } from './retry-with-backoff.ts';

export interface HttpSinkContext {
  name: string;
  client: HttpClient;
  delivery: HttpDeliveryConfig;
  retry: RetryPolicy;
  metrics: SelfMetrics;
  logger: Logger;
  random?: () => number;
}

export interface HttpChunkSpec<I, R extends Identified> {
  items: readonly I[];
  recordOf(item: I): R;
  sizeOf(item: I): number;
  encode(items: readonly I[]): Buffer;
  url: string;
  headers: Record<string, string>;
  classify(outcome: HttpOutcome, items: readonly I[]): ChunkVerdict;
  /** Extra step after a 2xx (Splunk indexer acknowledgement): the final verdict. */
  confirm?(outcome: HttpOutcome & { ok: true }, signal: AbortSignal): Promise<ChunkVerdict>;
  /** The backend's limit on one compressed body: bigger chunks are split before sending. */
  maxCompressedBytes?: number;
}

export async function sendHttpChunks<I, R extends Identified>(ctx: HttpSinkContext, spec: HttpChunkSpec<I, R>, signals: DeliverySignals): Promise<DeliveryResult<R>> {
  const { name, metrics, delivery } = ctx;
  const log = ctx.logger;
  const chunks = chunkItems(spec.items, spec.sizeOf, delivery.batch.max_items, delivery.batch.max_bytes);
  let pending = spec.items.length;
  metrics.sinkQueueItems.set({ sink: name }, pending);
  const encoding = contentEncoding(delivery.compression);
  const headers = { ...spec.headers, ...(encoding === undefined ? {} : { 'content-encoding': encoding }) };
  const result = await deliverChunks<I, R>({
    chunks,
    recordOf: spec.recordOf,
    concurrency: delivery.max_concurrency,
    retry: ctx.retry,
    signals,
    ...(ctx.random === undefined ? {} : { random: ctx.random }),
    async attempt(items, signal) {
      const started = performance.now();
      let encoded: Buffer;
      try {
        encoded = spec.encode(items);
      } catch (err) {
        // Data the encoder cannot write (e.g. nesting too deep to serialise): find the record by splitting, dead-letter it.
        return { verdict: { kind: 'permanent', reason: `encode_failed:${(err as Error).name}`, isolate: true }, ms: performance.now() - started };
      }
      const body = await compressBody(encoded, delivery.compression, delivery.compression_level);
      if (spec.maxCompressedBytes !== undefined && body.length > spec.maxCompressedBytes) {
        return { verdict: { kind: 'too_large', reason: 'over_size_limit' }, ms: performance.now() - started };
      }
      const outcome = await ctx.client.send({ method: 'POST', url: spec.url, headers, body, timeoutMs: delivery.timeout_ms, signal });
      let verdict = spec.classify(outcome, items);
      if (verdict.kind === 'success' && outcome.ok && spec.confirm !== undefined) verdict = await spec.confirm(outcome, signal);
      // What the backend said, for the log line: a refusal is only actionable with its reason
      // (Prometheus: "duplicate sample for timestamp …"; HEC: {"text":"Invalid data format","code":6}).
      // The backend's answer, never our request body; bounded.
      if ((verdict.kind === 'permanent' || verdict.kind === 'retryable') && outcome.ok && outcome.body.trim() !== '') verdict = { ...verdict, response: responseSnippet(outcome.body) };
      return { verdict, ms: performance.now() - started };
    },
    onAttempt({ items, verdict, ms, attempt }) {
      const result = verdict.kind === 'success' ? 'success' : verdict.reason;
      metrics.sinkRequests.inc({ sink: name, result });
      metrics.sinkRequestSeconds.observe({ sink: name }, ms / 1000);
      metrics.sinkRequestItems.observe({ sink: name }, items);
      if (attempt > 1) metrics.sinkRetries.inc({ sink: name });
      if (verdict.kind === 'success') {
        pending -= items;
        metrics.sinkQueueItems.set({ sink: name }, Math.max(0, pending));
        if (verdict.rejectedItems !== undefined && verdict.rejectedItems > 0) {
          metrics.sinkPointsDropped.inc({ sink: name, reason: 'rejected_by_backend' }, verdict.rejectedItems);
          log.warn({ rejected: verdict.rejectedItems, message: verdict.warning }, 'backend accepted the request but rejected some items (partial success: not retried)');
        } else if (verdict.warning !== undefined) log.warn({ message: verdict.warning }, 'backend warning');
      } else if (verdict.kind === 'retryable') {
        if (attempt === 1) log.warn({ reason: verdict.reason, retry_after_ms: verdict.retryAfterMs, items, response: verdict.response }, 'request failed; retrying with backoff (position held)');
      } else if (verdict.kind === 'too_large') {
        log.info({ reason: verdict.reason, items }, 'request too large; splitting');
      } else {
        log.error({ reason: verdict.reason, items, response: verdict.kind === 'permanent' ? verdict.response : undefined }, 'backend refused the request for good; its events go to the dead letters');
      }
    },
  });
  metrics.sinkQueueItems.set({ sink: name }, 0);
  return result;
}

/** The first 300 characters of a backend's answer, on one line. */
export function responseSnippet(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
