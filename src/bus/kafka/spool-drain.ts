// Drains the Kafka ingress's spool to Kafka, in order: the spool's one consumer (kafka-drain). Idle
// (waiting for spool writes) while publishing is direct. A failed send is retried whole after a
// backoff. A record Kafka refuses for good (too large, not authorised) must not block the spool:
// after a non-retriable failure the batch is retried one record at a time, and a record that still
// fails is set aside in the spool's dead_letters table (counted and logged), so the rest goes on.
import type { Logger } from 'pino';
import type { LogSummarizer } from '../../observability/create-log-summarizer.ts';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import { backoffMs, sleep } from '../../retry/backoff.ts';
import type { BatchHandler, BusRecord, PublishRequest } from '../bus.ts';
import type { EmbeddedBus } from '../embedded/embedded-bus.ts';
import { isKafkaRefusal, kafkaErrorType } from './is-kafka-refusal.ts';
import { errorMessage, type ProducerConnection } from './producer-connection.ts';
import { SPOOL_DRAIN_CONSUMER, type SpoolFailover } from './spool-failover.ts';

export interface SpoolDrainDeps {
  spool: EmbeddedBus;
  connection: ProducerConnection;
  /** One produce request of these records. */
  send: (requests: readonly PublishRequest[]) => Promise<unknown>;
  failover: SpoolFailover;
  log: Logger;
  noisy: LogSummarizer;
  metrics: SelfMetrics;
}

/** Settles with the promise, or rejects when the shutdown grace is over (kafkajs cannot cancel). */
const unlessAborted = <T>(p: Promise<T>, abort: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('shutdown grace over: the spooled events stay on disk for the next start'));
    if (abort.aborted) return onAbort();
    abort.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => abort.removeEventListener('abort', onAbort));
  });

export function createSpoolDrain(deps: SpoolDrainDeps): BatchHandler {
  const { spool, connection, send, failover, log, noisy, metrics } = deps;
  let drainFailures = 0;

  const sendOneByOne = async (batch: readonly BusRecord[]): Promise<number> => {
    for (const [i, r] of batch.entries()) {
      try {
        await send([r]);
      } catch (err) {
        if (!isKafkaRefusal(err)) return i;
        const reason = `kafka_refused:${kafkaErrorType(err)}`;
        await spool.deadLetter(r, { consumer: SPOOL_DRAIN_CONSUMER, reason, attempts: 1 });
        metrics.sinkDeadLettered.inc({ sink: SPOOL_DRAIN_CONSUMER, reason });
        log.error({ err, reason, event: r.meta.event, bytes: r.body.length }, 'Kafka refused an event for good: kept in the spool\'s dead_letters table');
      }
    }
    return batch.length;
  };

  return async (batch, { stop, abort }) => {
    if ((await unlessAborted(connection.connect(), abort).catch(() => false)) && !stop.aborted) {
      try {
        let done = batch.length;
        try {
          await unlessAborted(send(batch), abort);
        } catch (err) {
          if (abort.aborted) throw err;
          if (!isKafkaRefusal(err)) throw err;
          done = await sendOneByOne(batch);
          if (done < batch.length) throw err;
        }
        drainFailures = 0;
        failover.drained(done);
        return done;
      } catch (err) {
        noisy.log('warn', 'drain', { reason: errorMessage(err), events: batch.length }, 'spool drain: produce failed; will retry');
      }
    }
    await sleep(backoffMs(++drainFailures, { initial_backoff_ms: 200, max_backoff_ms: 5000 }, Math.random()), stop);
    return 0;
  };
}
