// One sink's consumer: reads the bus with its own position, hands batches to the sink, retries
// retryable failures with backoff (the position does not move meanwhile: backpressure), dead-letters
// permanent failures, and lets the bus commit only what is done.
import type { Logger } from 'pino';
import type { BatchHandler, Bus, BusRecord, ConsumerHandle } from '../bus/bus.ts';
import { backoffMs, sleep } from '../delivery/backoff.ts';
import { retryable } from '../delivery/delivery-result.ts';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import type { Sink } from '../sinks/sink.ts';
import type { WorkerConfig } from './worker-config.ts';

export interface SinkConsumerDeps {
  bus: Bus;
  sink: Sink;
  config: WorkerConfig;
  logger: Logger;
  metrics: SelfMetrics;
  random?: () => number;
}

export function startSinkConsumer(deps: SinkConsumerDeps): ConsumerHandle {
  const { bus, sink, config, metrics } = deps;
  const random = deps.random ?? Math.random;
  const log = deps.logger.child({ component: 'worker', sink: sink.name });

  const deadLetter = async (batch: readonly BusRecord[], reason: string, attempts: number): Promise<void> => {
    for (const record of batch) await bus.deadLetter(record, { consumer: sink.name, reason, attempts });
    metrics.sinkDeadLettered.inc({ sink: sink.name, reason }, batch.length);
    log.error({ events: batch.length, reason, attempts }, 'events dead-lettered');
  };

  const handler: BatchHandler = async (all, { stop, abort }) => {
    // Records replayed for another sink (meta.targetSink) are passed by: done, not delivered.
    const batch = all.filter((r) => r.meta.targetSink === undefined || r.meta.targetSink === sink.name);
    if (batch.length === 0) return all.length;
    const timer = metrics.sinkBatchSeconds.startTimer({ sink: sink.name });
    for (let attempt = 1; attempt === 1 || !stop.aborted; attempt++) {
      const result = await sink.write(batch, abort).catch((err: unknown) => {
        log.error({ err }, 'sink threw (a bug): retrying the batch; its position is held');
        return retryable('sink_threw');
      });
      if (result.status === 'success') {
        metrics.sinkDelivered.inc({ sink: sink.name }, batch.length);
        if (attempt > 1) log.info({ attempts: attempt }, 'sink recovered');
        timer();
        return all.length;
      }
      metrics.sinkFailures.inc({ sink: sink.name, reason: result.status });
      if (result.status === 'permanent') {
        await deadLetter(batch, result.reason, attempt);
        return all.length;
      }
      if (config.retry.max_attempts > 0 && attempt >= config.retry.max_attempts) {
        await deadLetter(batch, `retries_exhausted:${result.reason}`, attempt);
        return all.length;
      }
      if (attempt === 1) log.warn({ reason: result.reason }, 'sink failing; retrying with backoff (position held)');
      await sleep(backoffMs(attempt, config.retry, random(), result.retryAfterMs), stop);
    }
    return 0;
  };

  return bus.consume(sink.name, handler, { maxBatchEvents: config.max_batch_events });
}
