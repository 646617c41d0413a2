// The ingress side of the Kafka bus. Concurrent webhooks share produce requests (linger_ms,
// max_batch_records, max_batch_bytes; one sendBatch, one in flight at a time so records keep their
// order); each request is answered when its own record is acknowledged (batching-producer.ts).
// When Kafka is unreachable or slower than ack_timeout_ms, events go to the local durable spool
// (the embedded bus) and Zoom still gets its 200 in time; while anything is spooled, new events are
// spooled too (keeping order: spool-failover.ts), and a drain loop sends the spool to Kafka in order
// (spool-drain.ts). When it is empty, publishing goes straight to Kafka again. This file puts the
// parts together, and starts and stops them.
import type { Logger } from 'pino';
import { createLogSummarizer } from '../../observability/create-log-summarizer.ts';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { BusHealth, ConsumerHandle, PublishOutcome, PublishRequest } from '../bus.ts';
import type { EmbeddedBus } from '../embedded/embedded-bus.ts';
import { createBatchingProducer } from './batching-producer.ts';
import type { KafkaClient } from './kafka-client.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { createProducerConnection } from './producer-connection.ts';
import { createSpoolDrain } from './spool-drain.ts';
import { createSpoolFailover, SPOOL_DRAIN_CONSUMER } from './spool-failover.ts';

export interface KafkaPublisherDeps {
  client: KafkaClient;
  config: KafkaBusConfig;
  spool: EmbeddedBus;
  logger: Logger;
  metrics: SelfMetrics;
  now?: () => number;
}

export interface KafkaPublisher {
  publish(request: PublishRequest): Promise<PublishOutcome>;
  health(): BusHealth;
  close(graceMs: number): Promise<void>;
}

export async function createKafkaPublisher(deps: KafkaPublisherDeps): Promise<KafkaPublisher> {
  const { config, spool, metrics } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'kafka-publisher' });
  // While Kafka is away these come every few seconds: the first of a kind, then a count a minute.
  const noisy = createLogSummarizer(log);
  // No retries inside the client: a failed send fails whole (kafkajs's own retry can drop a
  // partition's records: send-whole-batch.ts); the direct path then spools the batch, and the drain
  // retries it whole.
  const producer = deps.client.producer({ idempotent: config.idempotent });
  const connection = createProducerConnection(producer, config, noisy);
  const failover = createSpoolFailover({ spool, log, metrics, now, takeQueued: () => direct.takeQueued() });
  const direct = createBatchingProducer({ producer, connection, failover, config, metrics, noisy });
  const drain = createSpoolDrain({ spool, connection, send: direct.send, failover, log, noisy, metrics });
  let closed = false;

  const spoolGauges = setInterval(() => {
    const b = spool.backlog(SPOOL_DRAIN_CONSUMER);
    metrics.spoolEvents.set(b.events);
    metrics.spoolAgeSeconds.set(b.oldestReceivedAt === undefined ? 0 : (now() - b.oldestReceivedAt) / 1000);
  }, 1000);
  spoolGauges.unref();

  // Kafka is given ack_timeout_ms to answer at start, not kafkajs's whole connect retry (~9 s):
  // until it does, events are accepted into the spool, and the drain sends them once it is back.
  const connectedInTime = await Promise.race([connection.connect(), new Promise<false>((r) => setTimeout(() => r(false), config.ack_timeout_ms).unref())]);
  if (!connectedInTime) failover.enterSpooling('kafka_unavailable');
  const backlog = spool.backlog(SPOOL_DRAIN_CONSUMER).events;
  if (backlog > 0) log.warn({ events: backlog, spool: spool.path }, 'spool holds events: draining them to Kafka first');
  const drainer: ConsumerHandle = spool.consume(SPOOL_DRAIN_CONSUMER, drain, { maxBatchEvents: config.max_batch_records });

  return {
    publish(request) {
      if (closed) return Promise.resolve({ ok: false, reason: 'closed' });
      if (failover.mode() === 'spooling') return failover.toSpool(request, 'spooling');
      return direct.publish(request);
    },
    health: failover.health,
    async close(graceMs) {
      closed = true;
      direct.flush();
      await drainer.stop(graceMs);
      clearInterval(spoolGauges);
      noisy.flush();
      noisy.stop();
      await producer.disconnect().catch(() => undefined);
      const left = spool.backlog(SPOOL_DRAIN_CONSUMER).events;
      if (left > 0) {
        log.warn({ events: left, spool: spool.path }, 'events are still in the local spool (bus.kafka.spool.path): they are sent to Kafka when an ingress starts again with this spool file');
      } else log.info({ spool: spool.path }, 'spool empty: every accepted event is in Kafka');
      await spool.close();
    },
  };
}
