// The ingress side of the Kafka bus. Concurrent webhooks share produce requests (linger_ms,
// max_batch_records, max_batch_bytes; one sendBatch, one in flight at a time so records keep their
// order); each request is answered when its own record is acknowledged.
// When Kafka is unreachable or slower than ack_timeout_ms, events go to the local durable spool
// (the embedded bus) and Zoom still gets its 200 in time; while anything is spooled, new events are
// spooled too (keeping order), and a drain loop sends the spool to Kafka in order. When it is empty,
// publishing goes straight to Kafka again.
import type { Logger } from 'pino';
import { backoffMs, sleep } from '../../retry/backoff.ts';
import { createLogSummarizer } from '../../observability/create-log-summarizer.ts';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { BatchHandler, BusHealth, BusRecord, ConsumerHandle, PublishOutcome, PublishRequest } from '../bus.ts';
import type { EmbeddedBus } from '../embedded/embedded-bus.ts';
import { kafkaAccessProblem } from './kafka-access-problem.ts';
import type { KafkaClient } from './kafka-client.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { isKafkaRefusal, kafkaErrorType } from './is-kafka-refusal.ts';
import { publishRequestToMessage } from './kafka-record.ts';

export const SPOOL_DRAIN_CONSUMER = 'kafka-drain';

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

interface Pending {
  request: PublishRequest;
  resolve: (outcome: PublishOutcome) => void;
}

export async function createKafkaPublisher(deps: KafkaPublisherDeps): Promise<KafkaPublisher> {
  const { config, spool, metrics } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'kafka-publisher' });
  // While Kafka is away these come every few seconds: the first of a kind, then a count a minute.
  const noisy = createLogSummarizer(log);
  const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  // No retries inside the client: a failed send fails whole (kafkajs's own retry can drop a
  // partition's records: send-whole-batch.ts); the direct path then spools the batch, and the drain
  // retries it whole.
  const producer = deps.client.producer({ idempotent: config.idempotent });
  let connected = false;
  let connecting: Promise<boolean> | undefined;
  let mode: 'direct' | 'spooling' = spool.backlog(SPOOL_DRAIN_CONSUMER).events > 0 ? 'spooling' : 'direct';
  let spoolingSince = mode === 'spooling' ? now() : 0;
  let spoolWritesInFlight = 0;
  const queue: Pending[] = [];
  let linger: NodeJS.Timeout | undefined;
  let producing = false; // a direct produce request is in flight
  let closed = false;

  producer.onDisconnect(() => (connected = false));
  const connect = (): Promise<boolean> => {
    if (connected) return Promise.resolve(true);
    connecting ??= producer.connect().then(
      () => ((connected = true), (connecting = undefined), true),
      (err: unknown) => {
        connecting = undefined;
        // Credentials or a certificate refused after start-up (a password rotated on the brokers):
        // an error naming the setting, still spooling — nothing accepted is lost once it is fixed.
        const access = kafkaAccessProblem(err, config);
        if (access !== undefined) noisy.log('error', access.code, { code: access.code }, `${access.message}; events are spooled locally meanwhile`);
        else noisy.log('warn', 'connect', { reason: reason(err) }, 'cannot connect to Kafka: events are spooled locally until it is back');
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
    // Records still waiting for their produce request go to the spool now, ahead of later ones.
    clearTimeout(linger);
    linger = undefined;
    spoolAll(queue.splice(0), 'spooling');
  };

  function spoolAll(batch: Pending[], reason: string): void {
    for (const p of batch) void toSpool(p.request, reason).then(p.resolve);
  }

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
    return producer.send(requests.map(publishRequestToMessage), { topic: config.topic, acks: config.acks, compression: config.compression }).then(() => void timer());
  };

  /** Takes the longest prefix of the queue within max_batch_records and max_batch_bytes (at least one record). */
  const takeBatch = (): Pending[] => {
    let size = 0;
    let n = 0;
    const bytes = (i: number): number => queue[i]!.request.body.length;
    while (n < queue.length && n < config.max_batch_records && (n === 0 || size + bytes(n) <= config.max_batch_bytes)) size += bytes(n++);
    return queue.splice(0, n);
  };

  const flush = (): void => {
    clearTimeout(linger);
    linger = undefined;
    if (producing && mode === 'direct') return; // sent when the request in flight settles
    const batch = takeBatch();
    if (queue.length > 0) linger = setTimeout(flush, 0);
    if (batch.length === 0) return;
    if (mode === 'spooling' || !connected) {
      spoolAll(batch, connected ? 'spooling' : 'kafka_unavailable'); // first: it is older than the queue
      if (!connected) enterSpooling('kafka_unavailable');
      return;
    }
    let settled = false;
    producing = true;
    const toSpoolInOrder = (reason: string): void => {
      settled = true;
      spoolAll(batch, reason); // this batch first, then (in enterSpooling) what queued behind it
      enterSpooling(reason);
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
          noisy.log('warn', 'produce', { reason: reason(err), events: batch.length }, 'produce failed: the events go to the local spool');
          toSpoolInOrder('kafka_error');
        }
        next();
      },
    );
  };

  // Drains the spool to Kafka, in order. Idle (waiting for spool writes) while publishing is direct.
  // A record Kafka refuses for good (too large, not authorised) must not block the spool: after a
  // non-retriable failure the batch is retried one record at a time, and a record that still fails
  // is set aside in the spool's dead_letters table (counted and logged), so the rest goes on.
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

  /** Settles with the promise, or rejects when the shutdown grace is over (kafkajs cannot cancel). */
  const unlessAborted = <T>(p: Promise<T>, abort: AbortSignal): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(new Error('shutdown grace over: the spooled events stay on disk for the next start'));
      if (abort.aborted) return onAbort();
      abort.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => abort.removeEventListener('abort', onAbort));
    });

  const drain: BatchHandler = async (batch, { stop, abort }) => {
    if ((await unlessAborted(connect(), abort).catch(() => false)) && !stop.aborted) {
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
        if (spool.backlog(SPOOL_DRAIN_CONSUMER).events - done <= 0 && spoolWritesInFlight === 0 && mode === 'spooling') {
          mode = 'direct';
          log.info({ spooled_for_ms: now() - spoolingSince }, 'Kafka is back: spool drained, publishing directly again');
        }
        return done;
      } catch (err) {
        noisy.log('warn', 'drain', { reason: reason(err), events: batch.length }, 'spool drain: produce failed; will retry');
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

  // Kafka is given ack_timeout_ms to answer at start, not kafkajs's whole connect retry (~9 s):
  // until it does, events are accepted into the spool, and the drain sends them once it is back.
  const connectedInTime = await Promise.race([connect(), new Promise<false>((r) => setTimeout(() => r(false), config.ack_timeout_ms).unref())]);
  if (!connectedInTime) enterSpooling('kafka_unavailable');
  const backlog = spool.backlog(SPOOL_DRAIN_CONSUMER).events;
  if (backlog > 0) log.warn({ events: backlog, spool: spool.path }, 'spool holds events: draining them to Kafka first');
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
