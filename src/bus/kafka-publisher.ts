// The ingress side of the Kafka bus. Concurrent webhooks share produce requests (linger_ms /
// max_batch_records, one sendBatch); each request is answered when its own record is acknowledged.
// When Kafka is unreachable or slower than ack_timeout_ms, events go to the local durable spool
// (the embedded bus) and Zoom still gets its 200 in time; while anything is spooled, new events are
// spooled too (keeping order), and a drain loop sends the spool to Kafka in order. When it is empty,
// publishing goes straight to Kafka again.
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { backoffMs, sleep } from '../delivery/backoff.ts';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import type { BatchHandler, BusHealth, ConsumerHandle, PublishOutcome, PublishRequest } from './bus.ts';
import type { EmbeddedBus } from './embedded-bus.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { publishRequestToMessage } from './kafka-record.ts';

export const SPOOL_DRAIN_CONSUMER = 'kafka-drain';

export interface KafkaPublisherDeps {
  kafka: Kafka;
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

interface Pending {
  request: PublishRequest;
  resolve: (outcome: PublishOutcome) => void;
}

const COMPRESSION = { none: 0, gzip: 1 } as const;

export async function createKafkaPublisher(deps: KafkaPublisherDeps): Promise<KafkaPublisher> {
  const { config, spool, metrics } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'kafka-publisher' });
  const producer: Producer = deps.kafka.producer({ idempotent: config.idempotent, allowAutoTopicCreation: false });
  let connected = false;
  let connecting: Promise<boolean> | undefined;
  let mode: 'direct' | 'spooling' = spool.backlog(SPOOL_DRAIN_CONSUMER).events > 0 ? 'spooling' : 'direct';
  let spoolingSince = mode === 'spooling' ? now() : 0;
  let spoolWritesInFlight = 0;
  let queue: Pending[] = [];
  let linger: NodeJS.Timeout | undefined;
  let closed = false;

  producer.on(producer.events.DISCONNECT, () => (connected = false));
  const connect = (): Promise<boolean> => {
    if (connected) return Promise.resolve(true);
    connecting ??= producer.connect().then(
      () => ((connected = true), (connecting = undefined), true),
      (err: unknown) => {
        connecting = undefined;
        log.warn({ err }, 'cannot connect to Kafka');
        return false;
      },
    );
    return connecting;
  };

  const enterSpooling = (reason: string): void => {
    if (mode === 'spooling') return;
    mode = 'spooling';
    spoolingSince = now();
    log.warn({ reason }, 'Kafka unavailable or slow: spooling events to the local store; Zoom still gets 200');
  };

  const toSpool = async (request: PublishRequest, reason: string): Promise<PublishOutcome> => {
    spoolWritesInFlight++;
    try {
      const outcome = await spool.publish(request);
      if (outcome.ok) metrics.spooled.inc({ reason });
      return outcome;
    } finally {
      spoolWritesInFlight--;
    }
  };

  const send = (requests: readonly PublishRequest[]): Promise<unknown> => {
    const timer = metrics.kafkaProduceSeconds.startTimer();
    return producer
      .sendBatch({
        acks: config.acks,
        timeout: config.request_timeout_ms,
        compression: COMPRESSION[config.compression],
        topicMessages: [{ topic: config.topic, messages: requests.map(publishRequestToMessage) }],
      })
      .then((r) => (timer(), r));
  };

  const spoolAll = (batch: Pending[], reason: string): void => {
    for (const p of batch) void toSpool(p.request, reason).then(p.resolve);
  };

  const flush = (): void => {
    clearTimeout(linger);
    linger = undefined;
    const batch = queue.slice(0, config.max_batch_records);
    queue = queue.slice(batch.length);
    if (queue.length > 0) linger = setTimeout(flush, 0);
    if (batch.length === 0) return;
    if (mode === 'spooling' || !connected) {
      if (!connected) enterSpooling('kafka_unavailable');
      return spoolAll(batch, connected ? 'spooling' : 'kafka_unavailable');
    }
    let settled = false;
    const slow = setTimeout(() => {
      if (settled) return;
      settled = true;
      enterSpooling('kafka_slow');
      spoolAll(batch, 'kafka_slow');
    }, config.ack_timeout_ms);
    send(batch.map((p) => p.request)).then(
      () => {
        if (settled) return void metrics.kafkaLateAcks.inc(batch.length);
        settled = true;
        clearTimeout(slow);
        for (const p of batch) p.resolve({ ok: true, id: 'kafka' });
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(slow);
        log.warn({ err, events: batch.length }, 'produce failed');
        enterSpooling('kafka_error');
        spoolAll(batch, 'kafka_error');
      },
    );
  };

  // Drains the spool to Kafka, in order. Idle (waiting for spool writes) while publishing is direct.
  let drainFailures = 0;
  const drain: BatchHandler = async (batch, { stop }) => {
    if ((await connect()) && !stop.aborted) {
      try {
        await send(batch.map((r) => ({ body: r.body, meta: r.meta })));
        drainFailures = 0;
        if (spool.backlog(SPOOL_DRAIN_CONSUMER).events - batch.length <= 0 && spoolWritesInFlight === 0 && mode === 'spooling') {
          mode = 'direct';
          log.info({ spooled_for_ms: now() - spoolingSince }, 'Kafka is back: spool drained, publishing directly again');
        }
        return batch.length;
      } catch (err) {
        log.warn({ err, events: batch.length }, 'spool drain: produce failed; will retry');
      }
    }
    await sleep(backoffMs(++drainFailures, { initial_backoff_ms: 200, max_backoff_ms: 5000 }, Math.random()), stop);
    return 0;
  };

  const spoolGauges = setInterval(() => {
    const b = spool.backlog(SPOOL_DRAIN_CONSUMER);
    metrics.spoolEvents.set(b.events);
    metrics.spoolAgeSeconds.set(b.oldestReceivedAt === undefined ? 0 : (now() - b.oldestReceivedAt) / 1000);
  }, 1000);
  spoolGauges.unref();

  if (!(await connect())) enterSpooling('kafka_unavailable');
  if (mode === 'spooling') log.warn({ events: spool.backlog(SPOOL_DRAIN_CONSUMER).events }, 'spool holds events: draining them to Kafka first');
  const drainer: ConsumerHandle = spool.consume(SPOOL_DRAIN_CONSUMER, drain, { maxBatchEvents: config.max_batch_records });

  return {
    publish(request) {
      if (closed) return Promise.resolve({ ok: false, reason: 'closed' });
      if (mode === 'spooling') return toSpool(request, 'spooling');
      return new Promise((resolve) => {
        queue.push({ request, resolve });
        if (queue.length >= config.max_batch_records) flush();
        else linger ??= setTimeout(flush, config.linger_ms);
      });
    },
    health() {
      const spoolHealth = spool.health();
      if (!spoolHealth.ready) return { ready: false, detail: `Kafka spool: ${spoolHealth.detail}` };
      if (mode === 'direct') return { ready: true, detail: 'ok' };
      const b = spool.backlog(SPOOL_DRAIN_CONSUMER);
      return { ready: true, degraded: true, detail: `spooling: ${b.events} events in the local spool until Kafka is back` };
    },
    async close(graceMs) {
      closed = true;
      flush();
      await drainer.stop(graceMs);
      clearInterval(spoolGauges);
      await producer.disconnect().catch(() => undefined);
      await spool.close();
    },
  };
}
