// The direct path of the Kafka bus's ingress side. Concurrent webhooks share produce requests
// (linger_ms, max_batch_records, max_batch_bytes; one send, one in flight at a time so records keep
// their order); each request is answered when its own record is acknowledged. A produce that fails,
// or is not acknowledged within ack_timeout_ms, hands its batch to the spool (spool-failover.ts).
import type { LogSummarizer } from '../../observability/create-log-summarizer.ts';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { PublishOutcome, PublishRequest } from '../bus.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import type { BusProducer } from './kafka-client.ts';
import { publishRequestToMessage } from './kafka-record.ts';
import { errorMessage, type ProducerConnection } from './producer-connection.ts';
import type { PendingPublish, SpoolFailover } from './spool-failover.ts';

export interface BatchingProducerDeps {
  producer: BusProducer;
  connection: ProducerConnection;
  failover: SpoolFailover;
  config: KafkaBusConfig;
  metrics: SelfMetrics;
  noisy: LogSummarizer;
}

export interface BatchingProducer {
  /** Queued for the next produce request; resolves when Kafka acknowledged it, or the spool took it. */
  publish(request: PublishRequest): Promise<PublishOutcome>;
  /** Sends (or spools) what is queued now. */
  flush(): void;
  /** The queued publishes, taken out (spooling begins: they go to the spool first). */
  takeQueued(): PendingPublish[];
  /** One produce request of these records (timed: qss_forwarder_kafka_produce_seconds). */
  send(requests: readonly PublishRequest[]): Promise<unknown>;
}

export function createBatchingProducer(deps: BatchingProducerDeps): BatchingProducer {
  const { producer, connection, failover, config, metrics, noisy } = deps;
  const queue: PendingPublish[] = [];
  let linger: NodeJS.Timeout | undefined;
  let producing = false; // a direct produce request is in flight

  const send = (requests: readonly PublishRequest[]): Promise<unknown> => {
    const timer = metrics.kafkaProduceSeconds.startTimer();
    return producer.send(requests.map(publishRequestToMessage), { topic: config.topic, acks: config.acks, compression: config.compression }).then(() => void timer());
  };

  /** Takes the longest prefix of the queue within max_batch_records and max_batch_bytes (at least one record). */
  const takeBatch = (): PendingPublish[] => {
    let size = 0;
    let n = 0;
    const bytes = (i: number): number => queue[i]!.request.body.length;
    while (n < queue.length && n < config.max_batch_records && (n === 0 || size + bytes(n) <= config.max_batch_bytes)) size += bytes(n++);
    return queue.splice(0, n);
  };

  const flush = (): void => {
    clearTimeout(linger);
    linger = undefined;
    if (producing && failover.mode() === 'direct') return; // sent when the request in flight settles
    const batch = takeBatch();
    if (queue.length > 0) linger = setTimeout(flush, 0);
    if (batch.length === 0) return;
    if (failover.mode() === 'spooling' || !connection.connected()) {
      failover.spoolAll(batch, connection.connected() ? 'spooling' : 'kafka_unavailable'); // first: it is older than the queue
      if (!connection.connected()) failover.enterSpooling('kafka_unavailable');
      return;
    }
    let settled = false;
    producing = true;
    const toSpoolInOrder = (reason: string): void => {
      settled = true;
      failover.spoolAll(batch, reason); // this batch first, then (in enterSpooling) what queued behind it
      failover.enterSpooling(reason);
    };
    const slow = setTimeout(() => settled || toSpoolInOrder('kafka_slow'), config.ack_timeout_ms);
    const next = (): void => {
      producing = false;
      if (queue.length > 0) flush();
    };
    send(batch.map((p) => p.request)).then(
      () => {
        clearTimeout(slow);
        if (settled) metrics.kafkaLateAcks.inc(batch.length);
        else {
          settled = true;
          for (const p of batch) p.resolve({ ok: true, id: 'kafka' });
        }
        next();
      },
      (err: unknown) => {
        clearTimeout(slow);
        if (!settled) {
          noisy.log('warn', 'produce', { reason: errorMessage(err), events: batch.length }, 'produce failed: the events go to the local spool');
          toSpoolInOrder('kafka_error');
        }
        next();
      },
    );
  };

  return {
    send,
    flush,
    takeQueued() {
      clearTimeout(linger);
      linger = undefined;
      return queue.splice(0);
    },
    publish: (request) =>
      new Promise((resolve) => {
        queue.push({ request, resolve });
        if (queue.length >= config.max_batch_records) flush();
        else linger ??= setTimeout(flush, config.linger_ms);
      }),
  };
}
