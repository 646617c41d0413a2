// A sink's `write`, guarded by the delivery retry loop (retry-with-backoff.ts): the one place a
// whole write is attempted again. The sink registry (src/sinks/sink-registry.ts) wraps every
// sink's write in it, so the consumer (src/worker) calls `write` once per batch and never retries.
//   - file, stdout: their write is a single attempt; a `retryable` answer (file_ENOSPC,
//     stdout_write_error, …) is retried here with backoff, the position held, dead-lettered as
//     `retries_exhausted:<reason>` after worker.retry.max_attempts (the attempts in the answer).
//   - the HTTP sinks retry per chunk inside their write (deliver-chunks.ts, the same loop) and
//     answer `retryable` only when stopping: here that ends at once (no new attempt once `stop`
//     aborts), so their chunks are not retried twice.
//   - blackhole, prometheus: always succeed; nothing to retry.
// A write that throws is a bug in the sink, never the backend's doing. It is guarded here rather
// than in the consumer: the throw becomes a retryable `sink_threw` (logged as a bug with its
// stack), so the batch's position is held and the write attempted again after the backoff —
// never a hot loop, never a second retry layer (the loop below is the only one around a write;
// for the HTTP sinks it is the only one that sees a throw, since the per-chunk loop lets it through).
// Here too: `qss_forwarder_sink_failures_total{sink,reason}` (reason = retryable | permanent, one
// per failed write) and the log lines `sink failing; retrying with backoff (position held)` and
// `sink recovered`.
import type { Logger } from 'pino';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import { retryable, type DeliveryResult, type Identified } from './delivery-result.ts';
import { retryWithBackoff, type DeliverySignals, type RetryPolicy } from './retry-with-backoff.ts';

export type Write<B, R extends Identified> = (batch: B, signals: DeliverySignals) => Promise<DeliveryResult<R>>;

export interface RetryWritesContext {
  /** The sink's name: the metric label. */
  name: string;
  retry: RetryPolicy;
  metrics: SelfMetrics;
  logger: Logger;
  random?: () => number;
}

/**
 * `write`, attempted until it answers success, partial or permanent. Answers `retryable` only
 * when `signals.stop` ended the retries (nothing is done: commit nothing), and `permanent` with
 * reason `retries_exhausted:<reason>` after max_attempts; `permanent` carries the attempts made.
 */
export function retryingWrite<B, R extends Identified>(write: Write<B, R>, ctx: RetryWritesContext): Write<B, R> {
  const { name, metrics, logger: log } = ctx;
  return async (batch, signals) => {
    const outcome = await retryWithBackoff<Exclude<DeliveryResult<R>, { status: 'retryable' }>>({
      retry: ctx.retry,
      signals,
      ...(ctx.random === undefined ? {} : { random: ctx.random }),
      async attempt() {
        let result: DeliveryResult<R>;
        try {
          result = await write(batch, signals);
        } catch (err) {
          log.error({ err }, 'sink threw (a bug): retrying the batch; its position is held');
          result = retryable('sink_threw');
        }
        if (result.status === 'retryable' || result.status === 'permanent') metrics.sinkFailures.inc({ sink: name, reason: result.status });
        if (result.status !== 'retryable') return { done: true, value: result };
        return { done: false, reason: result.reason, ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }) };
      },
      onRetry(attempt, failure) {
        if (attempt === 1) log.warn({ reason: failure.reason }, 'sink failing; retrying with backoff (position held)');
      },
    });
    switch (outcome.kind) {
      case 'stopped':
        return retryable('stopping');
      case 'exhausted':
        return { status: 'permanent', reason: outcome.reason, attempts: outcome.attempts };
      case 'done':
        if (outcome.value.status === 'permanent') return { ...outcome.value, attempts: outcome.attempts };
        if (outcome.attempts > 1) log.info({ attempts: outcome.attempts }, 'sink recovered');
        return outcome.value;
    }
  };
}
