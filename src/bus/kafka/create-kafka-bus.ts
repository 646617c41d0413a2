// The Kafka bus: the publisher (ingress side, with its local spool) is made only where events are
// published; consumers (worker side) only where they are consumed; a dead-letter producer only
// when something is dead-lettered.
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { Bus, BusRecord, DeadLetterInfo } from '../bus.ts';
import { openEmbeddedBus } from '../embedded/embedded-bus.ts';
import type { StoreProblem } from '../embedded/open-embedded-store.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { checkKafkaAccess } from './create-kafka-client.ts';
import type { BusProducer, KafkaClient, OffsetResetListener } from './kafka-client.ts';
import { kafkajsClient } from './kafkajs-client.ts';
import type { KafkaAccessProblem } from './kafka-access-problem.ts';
import { createKafkaPublisher, type KafkaPublisher } from './kafka-publisher.ts';
import { deadLetterHeaders, metaToHeaders, parseRecordId } from './kafka-record.ts';
import { retryWhole } from './send-whole-batch.ts';

export interface KafkaBusDeps {
  config: KafkaBusConfig;
  logger: Logger;
  metrics: SelfMetrics;
  /** Publish from this process (ingress): starts the producer and opens the spool. */
  publisher: boolean;
  shutdownGraceMs: number;
  /** The process role, recorded as the spool's owner. */
  owner?: string;
  now?: () => number;
}

export type CreateKafkaBusOutcome = { ok: true; bus: Bus } | { ok: false; problem: StoreProblem | KafkaAccessProblem };

export async function createKafkaBus(deps: KafkaBusDeps): Promise<CreateKafkaBusOutcome> {
  const { config, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  // @platformatic/kafka takes seconds to import (its WebAssembly codecs): loaded only when chosen.
  const platformatic = config.client === 'platformatic' ? await import('./platformatic-client.ts') : undefined;
  const access = await (platformatic?.checkPlatformaticAccess ?? checkKafkaAccess)(config, logger);
  if (access !== undefined) return { ok: false, problem: access };
  const onOffsetReset: OffsetResetListener = (groupId, partition) => {
    const sink = groupId.startsWith(`${config.group_prefix}.`) ? groupId.slice(config.group_prefix.length + 1) : groupId;
    metrics.consumerOffsetResets.inc({ sink });
    logger.error(
      { code: 'ZQ_ERR_RECORDS_EXPIRED', sink, group: groupId, topic: config.topic, partition },
      'records expired before this sink consumed them: the topic no longer holds its position (retention), so it goes on from the oldest record kept; the records in between were never delivered to it',
    );
  };
  const client: KafkaClient = (platformatic?.platformaticClient ?? kafkajsClient)(config, logger, onOffsetReset);
  let publisher: KafkaPublisher | undefined;
  if (deps.publisher) {
    const spool = openEmbeddedBus({
      config: {
        path: config.spool.path,
        max_commit_events: 256,
        poll_interval_ms: 200,
        min_free_disk_mb: config.spool.min_free_disk_mb,
        // The spool has one consumer (the drain), which never retires.
        retention: { interval_ms: 1000, max_age_hours: config.spool.max_age_hours, max_size_mb: config.spool.max_size_mb, on_full: 'reject', retired_consumer_hours: 24 },
        dead_letters: config.spool.dead_letters,
      },
      setting: 'bus.kafka.spool.path',
      owner: deps.owner,
      logger: logger.child({ spool: true }),
      metrics,
    });
    if (!spool.ok) return spool;
    publisher = await createKafkaPublisher({ client, config, spool: spool.bus, logger, metrics, now });
  }
  let dlqProducer: BusProducer | undefined;
  let dlqConnected: Promise<void> | undefined;

  const deadLetter = async (record: BusRecord, info: DeadLetterInfo): Promise<void> => {
    dlqProducer ??= client.producer({ idempotent: false });
    dlqConnected ??= dlqProducer.connect().catch((err: unknown) => {
      dlqConnected = undefined; // try again next time rather than fail forever
      throw err;
    });
    await dlqConnected;
    const source = parseRecordId(record.id) ?? { topic: config.topic, partition: -1, offset: '-1' };
    const message = { key: record.meta.instanceKey ?? null, value: record.body, headers: { ...(record.meta.receivedAt > 0 ? metaToHeaders(record.meta) : {}), ...deadLetterHeaders(source, info, now()) } };
    // Retried whole; a failure here throws, the batch is not committed and comes back later.
    const producer = dlqProducer;
    await retryWhole(() => producer.send([message], { topic: config.dlq_topic, acks: -1, compression: 'none' }));
  };

  const bus: Bus = {
    publish(request) {
      if (publisher === undefined) return Promise.resolve({ ok: false, reason: 'closed' });
      return publisher.publish(request);
    },
    consume(name, handler, options) {
      return client.consume({ logger, metrics, deadLetter }, name, handler, options);
    },
    deadLetter,
    health() {
      return publisher?.health() ?? { ready: true, detail: 'ok' };
    },
    async close() {
      await publisher?.close(deps.shutdownGraceMs);
      await dlqProducer?.disconnect().catch(() => undefined);
    },
  };
  return { ok: true, bus };
}
