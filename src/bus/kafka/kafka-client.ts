// The seam between the Kafka bus and a Kafka client library: a producer whose sends fail whole
// (never retried in part inside the client: send-whole-batch.ts), and a consumer per sink.
// `bus.kafka.client` picks the library: kafkajs (the default) or @platformatic/kafka (compared in
// docs/deploy.md); everything above this seam — the spool, batching, dead letters — is shared.
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { BatchHandler, BusRecord, ConsumeOptions, ConsumerHandle, DeadLetterInfo } from '../bus.ts';
import type { KafkaAccessProblem } from './kafka-access-problem.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import type { OutgoingMessage } from './kafka-record.ts';

export interface SendOptions {
  topic: string;
  acks: -1 | 0 | 1;
  compression: KafkaBusConfig['compression'];
}

export interface BusProducer {
  /** Resolves once the brokers answered (kafkajs: connected; platformatic: metadata fetched). */
  connect(): Promise<void>;
  /** One produce of all `messages`; it fails whole, and is never retried in part. */
  send(messages: readonly OutgoingMessage[], options: SendOptions): Promise<void>;
  disconnect(): Promise<void>;
  /** Called when the client lost its connection (the next send needs connect() again). */
  onDisconnect(listener: () => void): void;
}

export interface KafkaConsumerHooks {
  logger: Logger;
  metrics: SelfMetrics;
  deadLetter: (record: BusRecord, info: DeadLetterInfo) => Promise<void>;
}

export interface KafkaClient {
  readonly name: KafkaBusConfig['client'];
  producer(options: { idempotent: boolean }): BusProducer;
  consume(hooks: KafkaConsumerHooks, name: string, handler: BatchHandler, options: ConsumeOptions): ConsumerHandle;
}

/** A consumer group found its position older than the oldest record kept (retention deleted what was between). */
export type OffsetResetListener = (groupId: string, partition: number) => void;

export type CheckKafkaAccess = (config: KafkaBusConfig, logger: Logger) => Promise<KafkaAccessProblem | undefined>;

/**
 * The handle of a consumer whose supervisor loop is `done`: stop() stops it (no new batch), gives the
 * batch in flight `graceMs` before aborting it, then closes the client's consumer (`leave`).
 */
export function supervisedConsumerHandle(o: { done: Promise<void>; stopping: AbortController; aborting: AbortController; leave: () => Promise<void>; logger: Logger; groupId: string }): ConsumerHandle {
  return {
    done: o.done,
    async stop(graceMs) {
      o.stopping.abort();
      const timer = setTimeout(() => o.aborting.abort(), graceMs);
      await o.done;
      await o.leave().catch((err: unknown) => o.logger.warn({ err }, 'leaving the consumer group failed'));
      clearTimeout(timer);
      o.logger.info({ group: o.groupId }, 'left consumer group');
    },
  };
}
