// The worker side of the Kafka bus: one consumer group per sink (<group_prefix>.<sink>), eachBatch
// with manual offset resolution. An offset is resolved (and committed) only when every record
// before it in its partition was delivered, passed by (replayed for another sink) or dead-lettered.
// While a sink retries, the partition is held (no further fetches) and heartbeats keep the group
// membership; a revoked partition (isStale) stops the batch without committing the rest.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { BatchHandler, BusRecord, ConsumeOptions, ConsumerHandle, DeadLetterInfo } from '../bus.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { supervisedConsumerHandle } from './kafka-client.ts';
import { messageToBusRecord } from './kafka-record.ts';
import { backoffMs, sleep } from '../../retry/backoff.ts';

export interface KafkaConsumerDeps {
  kafka: Kafka;
  config: KafkaBusConfig;
  logger: Logger;
  metrics: SelfMetrics;
  deadLetter: (record: BusRecord, info: DeadLetterInfo) => Promise<void>;
}

export function consumeKafka(deps: KafkaConsumerDeps, name: string, handler: BatchHandler, options: ConsumeOptions): ConsumerHandle {
  const { config, metrics } = deps;
  const log = deps.logger.child({ component: 'kafka-consumer', sink: name });
  const groupId = `${config.group_prefix}.${name}`;
  const stopping = new AbortController();
  const aborting = new AbortController();
  // Highest offset this process delivered, per partition. A commit can fail in a rebalance (eager
  // protocol); when this member keeps the partition, the records come back, and are passed by.
  const deliveredUpTo = new Map<number, bigint>();

  /** Hands records to the sink handler, heartbeating (and noticing a revoked partition) meanwhile. */
  const deliver = async (records: BusRecord[], heartbeat: () => Promise<void>, revoked: () => boolean): Promise<number> => {
    const batchStop = new AbortController();
    const onStop = (): void => batchStop.abort();
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const beat = setInterval(() => {
      if (revoked()) batchStop.abort();
      heartbeat().catch(() => batchStop.abort());
    }, config.consumer.heartbeat_interval_ms);
    try {
      return await handler(records, { stop: batchStop.signal, abort: aborting.signal });
    } finally {
      clearInterval(beat);
      stopping.signal.removeEventListener('abort', onStop);
    }
  };

  const eachBatch = async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale }: EachBatchPayload): Promise<void> => {
    // Lag counts what is not yet done: the whole fetched batch at first, then after each chunk.
    const lagLabels = { sink: name, partition: String(batch.partition) };
    const first = batch.firstOffset();
    metrics.consumerLag.set(lagLabels, first === null ? Number(batch.offsetLag()) : Number(BigInt(batch.highWatermark) - BigInt(first)));
    const messages = batch.messages;
    for (let i = 0; i < messages.length; i += options.maxBatchEvents) {
      if (!isRunning() || isStale() || stopping.signal.aborted) return;
      const chunk = messages.slice(i, i + options.maxBatchEvents);
      const records: BusRecord[] = [];
      const recordIndex: number[] = []; // chunk index of each record handed to the handler
      const already = deliveredUpTo.get(batch.partition) ?? -1n;
      for (const [j, message] of chunk.entries()) {
        if (BigInt(message.offset) <= already) continue; // delivered by this process, commit lost in a rebalance
        const decoded = messageToBusRecord(batch.topic, batch.partition, message);
        if (decoded.ok) {
          records.push(decoded.record);
          recordIndex.push(j);
        } else {
          const raw: BusRecord = { id: `${batch.topic}/${batch.partition}/${message.offset}`, body: message.value ?? Buffer.alloc(0), meta: { app: 'unknown', event: 'unknown', receivedAt: 0, instanceKey: message.key?.toString() } };
          await deps.deadLetter(raw, { consumer: name, reason: decoded.reason, attempts: 0 });
          metrics.sinkDeadLettered.inc({ sink: name, reason: decoded.reason });
        }
      }
      const done = records.length === 0 ? 0 : await deliver(records, heartbeat, () => isStale() || !isRunning());
      // Everything in the chunk before the first record not done is done.
      const firstNotDone = done >= records.length ? chunk.length : recordIndex[done]!;
      if (firstNotDone > 0) {
        const lastDone = chunk[firstNotDone - 1]!.offset;
        deliveredUpTo.set(batch.partition, BigInt(lastDone));
        resolveOffset(lastDone);
        metrics.consumerLag.set(lagLabels, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(lastDone) - 1n)));
        // With autoCommit off, kafkajs commits only the offsets it is handed: hand it the resolved ones.
        await commitOffsetsIfNecessary(uncommittedOffsets());
        metrics.consumerCommits.inc({ sink: name });
      }
      log.debug({ partition: batch.partition, first: chunk[0]!.offset, last: chunk[chunk.length - 1]!.offset, handed: records.length, done, committed: firstNotDone > 0 ? chunk[firstNotDone - 1]!.offset : undefined }, 'chunk');
      if (firstNotDone < chunk.length) return; // stopping: the rest is redelivered to whoever gets the partition
      await heartbeat();
    }
  };

  // kafkajs restarts a consumer itself after retriable errors; after any other it stops for good
  // (CRASH with restart: false). A worker must never silently stop consuming: this loop makes a new
  // consumer, with backoff, until the worker is stopped.
  let consumer: Consumer | undefined;
  /** Partitions this member reports a lag for (its assignment). */
  let lagPartitions = new Set<string>();
  // Resolves on stop, also when stop came before anyone waited (an 'abort' listener added after the
  // abort never fires: a stop during connect/run would otherwise never be noticed).
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  const supervise = async (): Promise<void> => {
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      const c: Consumer = deps.kafka.consumer({
        groupId,
        sessionTimeout: config.consumer.session_timeout_ms,
        heartbeatInterval: config.consumer.heartbeat_interval_ms,
        allowAutoTopicCreation: false,
        // Batching by age: the broker holds a fetch until 64 KiB are there or maxWaitMs passed.
        ...(options.maxWaitMs !== undefined && options.maxWaitMs > 0 ? { minBytes: 65536, maxWaitTimeInMs: options.maxWaitMs } : {}),
      });
      consumer = c;
      c.on(c.events.GROUP_JOIN, (e) => {
        metrics.consumerRebalances.inc({ sink: name });
        log.info({ group: groupId, assignment: e.payload.memberAssignment }, 'joined consumer group');
        // A partition that went to another member is no longer this one's lag (a stale figure would
        // keep a lag alert firing after the new owner caught up).
        const now = new Set((e.payload.memberAssignment[config.topic] ?? []).map(String));
        for (const partition of lagPartitions) if (!now.has(partition)) metrics.consumerLag.remove({ sink: name, partition });
        lagPartitions = now;
      });
      const crashed = new Promise<unknown>((resolve) => c.on(c.events.CRASH, (e) => !e.payload.restart && resolve(e.payload.error)));
      try {
        await c.connect();
        await c.subscribe({ topic: config.topic, fromBeginning: config.consumer.from_beginning });
        await c.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: config.consumer.partitions_consumed_concurrently,
          eachBatch,
        });
        // A stop during connect/run lands here too: run() has resolved, so kafkajs's runner is
        // running and the disconnect in stop() really stops it (one made while it was still joining
        // the group returns at once and leaves the runner fetching for ever: kafkajs#1639).
        if (stopping.signal.aborted) return;
        log.info({ group: groupId, topic: config.topic }, 'consuming');
        const err = await Promise.race([crashed, stopped]);
        if (stopping.signal.aborted) return;
        log.error({ err, attempt }, 'consumer stopped after an error; starting a new one');
      } catch (err) {
        log.warn({ err, attempt }, 'cannot start consuming; retrying');
      }
      await c.disconnect().catch(() => undefined);
      await sleep(backoffMs(attempt, { initial_backoff_ms: 500, max_backoff_ms: 10000 }, Math.random()), stopping.signal);
    }
  };

  const done = supervise().catch((err: unknown) => {
    log.error({ err }, 'consumer supervisor failed');
  });

  return supervisedConsumerHandle({ done, stopping, aborting, leave: async () => consumer?.disconnect(), logger: log, groupId });
}
