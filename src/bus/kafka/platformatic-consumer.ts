// The worker side of the Kafka bus on @platformatic/kafka 1.x: one consumer group per sink, the
// same contract as kafka-consumer.ts (an offset is committed only when every record before it in
// its partition is done; a partition keeps its order; a revoked partition stops its batch without
// committing the rest). 1.x gives one merged stream per consumer instead of kafkajs's eachBatch, so
// batching, holding a partition while its sink retries, and partitions_consumed_concurrently are
// done here, over per-partition queues (the stream is paused while they are full). What 1.x leaves
// to us: a position retention deleted (OFFSET_OUT_OF_RANGE kills the stream: commit the oldest kept
// offset and start again), heartbeats that stop for good after a heartbeat error (taken as fatal: a
// new consumer), buffered records of revoked partitions (dropped), and lag (listOffsets).
// Over 300 lines on purpose: one state machine (queues, holds, commits, the consumer's restarts)
// whose parts share the per-partition positions; split, they would pass them all around.
import { Consumer, ListOffsetTimestamps, MessagesStreamFallbackModes, MessagesStreamModes, stringDeserializer, type ConsumerOptions, type Message, type MessagesStream } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import { backoffMs, sleep } from '../../retry/backoff.ts';
import type { BatchHandler, BusRecord, ConsumeOptions, ConsumerHandle, DeadLetterInfo } from '../bus.ts';
import { kafkaErrorChain } from './is-kafka-refusal.ts';
import { supervisedConsumerHandle, type OffsetResetListener } from './kafka-client.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { messageToBusRecord } from './kafka-record.ts';
import { platformaticBaseOptions } from './platformatic-options.ts';

export interface PlatformaticConsumerDeps {
  config: KafkaBusConfig;
  logger: Logger;
  metrics: SelfMetrics;
  deadLetter: (record: BusRecord, info: DeadLetterInfo) => Promise<void>;
  onOffsetReset: OffsetResetListener;
  /** Tests: the library's Consumer, or a fake at this seam. */
  createConsumer?: (options: ConsumerOptions<string, Buffer, string, string>) => Consumer<string, Buffer, string, string>;
}

type Msg = Message<string, Buffer, string, string>;

const LAG_INTERVAL_MS = 5000;

interface Run {
  /** Resolves with why the stream ended. */
  ended: Promise<unknown>;
  /** Ends it: every held partition's batch is told to stop. */
  end: (why: unknown) => void;
  /** Resolves when no batch is in flight. */
  idle: () => Promise<void>;
}

/** Force-closes the consumer's streams, then leaves the group. */
const closeConsumer = (c: Consumer<string, Buffer, string, string>): Promise<void> => new Promise((resolve, reject) => c.close(true, (err) => (err ? reject(err) : resolve())));

/** How a promise settled within `ms`: resolved, rejected (with its error), or not at all. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<'ok' | 'timeout' | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    p.then(
      () => 'ok' as const,
      (error: unknown) => ({ error }),
    ),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
  ]);
  clearTimeout(timer);
  return outcome;
}

const isOffsetOutOfRange = (err: unknown): boolean => kafkaErrorChain(err).some((e) => e.apiId === 'OFFSET_OUT_OF_RANGE');

export function consumePlatformatic(deps: PlatformaticConsumerDeps, name: string, handler: BatchHandler, options: ConsumeOptions): ConsumerHandle {
  const { config, metrics } = deps;
  const topic = config.topic;
  const log = deps.logger.child({ component: 'kafka-consumer', client: 'platformatic', sink: name });
  const groupId = `${config.group_prefix}.${name}`;
  // A commit's own request, plus a rejoin of the group it may need first.
  const commitTimeoutMs = config.request_timeout_ms + config.consumer.session_timeout_ms;
  const stopping = new AbortController();
  const aborting = new AbortController();
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  // Highest offset this process delivered, per partition: after a rebalance that leaves a partition
  // here, the stream reads it again from the committed offset, and what was delivered is passed by.
  const deliveredUpTo = new Map<number, bigint>();
  let lagPartitions = new Set<string>();
  let consumer: Consumer<string, Buffer, string, string> | undefined;

  /** One stream's life: queues, batches and commits until the stream ends; resolves with why. */
  const run = (c: Consumer<string, Buffer, string, string>, stream: MessagesStream<string, Buffer, string, string>): Run => {
    const queues = new Map<number, Msg[]>();
    const busy = new Map<number, Promise<void>>();
    /** Aborted when the partition is revoked from this member (or the stream ends). */
    const held = new Map<number, AbortController>();
    let assigned = new Set<number>((c.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions));
    // Highest offset queued, per partition: after a rebalance the stream reads a partition this member
    // keeps again from its committed offset, and what is queued or delivered is passed by here.
    const queuedUpTo = new Map<number, bigint>();
    let buffered = 0;
    const limit = Math.max(1024, options.maxBatchEvents * config.consumer.partitions_consumed_concurrently * 2);
    let ended = false;
    let endedWith: (why: unknown) => void = () => undefined;
    const endedP = new Promise<unknown>((resolve) => (endedWith = resolve));
    const end = (why: unknown): void => {
      if (ended) return;
      ended = true;
      for (const h of held.values()) h.abort();
      endedWith(why);
    };

    const resumeIfRoom = (): void => {
      if (stream.isPaused() && buffered < limit / 2 && !ended) stream.resume();
    };

    const onJoin = ({ generationId, assignments }: { generationId?: number; assignments?: { topic: string; partitions: number[] }[] }): void => {
      const now = new Set<number>((assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions));
      metrics.consumerRebalances.inc({ sink: name });
      log.info({ group: groupId, generation: generationId, assignment: { [topic]: [...now] } }, 'joined consumer group');
      for (const p of assigned) {
        if (now.has(p)) continue;
        held.get(p)?.abort();
        buffered -= queues.get(p)?.length ?? 0;
        queues.delete(p);
        queuedUpTo.delete(p);
        deliveredUpTo.delete(p);
      }
      const names = new Set([...now].map(String));
      for (const partition of lagPartitions) if (!names.has(partition)) metrics.consumerLag.remove({ sink: name, partition });
      lagPartitions = names;
      assigned = now;
      // What was queued for revoked partitions is gone: with the stream paused on a full buffer of
      // those, nothing else would resume it (seen in the kill-worker soak: the dead member's
      // partitions, now this member's, were never read).
      resumeIfRoom();
    };
    c.on('consumer:group:join', onJoin);
    onJoin({ generationId: c.generationId, assignments: c.assignments ?? [] }); // the first join came during consume()

    const work = async (p: number): Promise<void> => {
      const queue = queues.get(p) ?? [];
      const chunk = queue.splice(0, options.maxBatchEvents);
      buffered -= chunk.length;
      resumeIfRoom();
      const hold = new AbortController();
      held.set(p, hold);
      const stop = AbortSignal.any([hold.signal, stopping.signal]);
      const records: BusRecord[] = [];
      const recordIndex: number[] = [];
      const already = deliveredUpTo.get(p) ?? -1n;
      for (const [j, m] of chunk.entries()) {
        if (m.offset <= already) continue;
        const headers = Object.fromEntries(m.headers);
        const decoded = messageToBusRecord(topic, p, { key: m.key === undefined ? null : Buffer.from(m.key), value: m.value ?? null, headers, offset: String(m.offset) });
        if (decoded.ok) {
          records.push(decoded.record);
          recordIndex.push(j);
        } else {
          const raw: BusRecord = { id: `${topic}/${p}/${m.offset}`, body: m.value ?? Buffer.alloc(0), meta: { app: 'unknown', event: 'unknown', receivedAt: 0, instanceKey: m.key } };
          await deps.deadLetter(raw, { consumer: name, reason: decoded.reason, attempts: 0 });
          metrics.sinkDeadLettered.inc({ sink: name, reason: decoded.reason });
        }
      }
      const done = records.length === 0 ? 0 : await handler(records, { stop, abort: aborting.signal });
      const firstNotDone = done >= records.length ? chunk.length : recordIndex[done]!;
      if (firstNotDone > 0) {
        const lastDone = chunk[firstNotDone - 1]!.offset;
        deliveredUpTo.set(p, lastDone);
        // Only for a partition this member still holds (1.x re-sends a commit refused in a rebalance
        // with the new generation, even for a partition now someone else's).
        if (!hold.signal.aborted && assigned.has(p)) {
          // 1.x answers a commit refused in a rebalance by rejoining the group itself, and that commit
          // can then never settle (seen in the kill-worker soak: a partition held for good). Past
          // the timeout this consumer is given up for a new one; the records delivered since the
          // last commit come back (duplicates, never a loss).
          const committed = await settlesWithin(c.commit({ offsets: [{ topic, partition: p, offset: lastDone + 1n, leaderEpoch: -1 }] }), commitTimeoutMs);
          if (committed === 'ok') metrics.consumerCommits.inc({ sink: name });
          else if (committed === 'timeout') throw new Error(`a commit did not settle within ${commitTimeoutMs} ms`);
          else log.warn({ err: committed.error, partition: p }, 'commit failed: the records come back to whoever holds the partition next');
        }
      }
      if (firstNotDone < chunk.length && !hold.signal.aborted && !stopping.signal.aborted) {
        // Not done and not stopping: hand the rest back, first in the partition's queue.
        queue.unshift(...chunk.slice(firstNotDone));
        buffered += chunk.length - firstNotDone;
        await sleep(backoffMs(1, { initial_backoff_ms: 500, max_backoff_ms: 500 }, Math.random()), stopping.signal);
      }
      held.delete(p);
    };

    const pump = (): void => {
      if (ended || stopping.signal.aborted) return;
      for (const [p, queue] of queues) {
        if (busy.size >= config.consumer.partitions_consumed_concurrently) return;
        if (busy.has(p) || queue.length === 0) continue;
        const task = work(p)
          .catch((err: unknown) => {
            log.error({ err, partition: p }, 'delivering a batch failed; starting the consumer again');
            end(err);
          })
          .finally(() => {
            busy.delete(p);
            pump();
          });
        busy.set(p, task);
      }
    };
    let scheduled = false;
    stream.on('data', (m: Msg) => {
      if (m.topic !== topic || !assigned.has(m.partition)) return; // buffered before a rebalance took it away
      if (m.offset <= (queuedUpTo.get(m.partition) ?? deliveredUpTo.get(m.partition) ?? -1n)) return;
      queuedUpTo.set(m.partition, m.offset);
      let queue = queues.get(m.partition);
      if (queue === undefined) queues.set(m.partition, (queue = []));
      queue.push(m);
      if (++buffered >= limit) stream.pause();
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => ((scheduled = false), pump())); // after the rest of this fetch is queued
      }
    });
    stream.on('error', (err: unknown) => end(err));
    stream.on('close', () => end(new Error('the message stream closed')));

    // Lag: the partition's end minus where this member is (the last delivered record, else the
    // first queued one, else the group's committed offset — so a partition not read at all shows).
    const lag = setInterval(() => {
      if (assigned.size === 0) return;
      const partitions = [...assigned];
      Promise.all([c.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.LATEST }), c.listCommittedOffsets({ topics: [{ topic, partitions }] })]).then(
        ([ends, commits]) => {
          const high = ends.get(topic) ?? [];
          const committed = commits.get(topic) ?? [];
          for (const p of partitions) {
            const next = queues.get(p)?.[0]?.offset ?? (committed[p] !== undefined && committed[p] >= 0n ? committed[p] : undefined);
            const position = deliveredUpTo.get(p) ?? (next === undefined ? undefined : next - 1n);
            if (position !== undefined && high[p] !== undefined && assigned.has(p)) metrics.consumerLag.set({ sink: name, partition: String(p) }, Math.max(0, Number(high[p] - position - 1n)));
          }
        },
        () => undefined,
      );
    }, LAG_INTERVAL_MS);
    lag.unref();
    void endedP.then(() => {
      clearInterval(lag);
      c.removeListener('consumer:group:join', onJoin);
    });
    return { ended: endedP, end, idle: async () => void (await Promise.allSettled([...busy.values()])) };
  };

  /** A position retention deleted: commit the oldest offset kept for each partition behind it. */
  const resetExpired = async (c: Consumer<string, Buffer, string, string>): Promise<void> => {
    const partitions = (c.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions);
    if (partitions.length === 0) return;
    const committed = (await c.listCommittedOffsets({ topics: [{ topic, partitions }] })).get(topic) ?? [];
    const earliest = (await c.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.EARLIEST })).get(topic) ?? [];
    for (const p of partitions) {
      const at = committed[p];
      const oldest = earliest[p];
      if (at === undefined || oldest === undefined || at < 0n || at >= oldest) continue;
      await c.commit({ offsets: [{ topic, partition: p, offset: oldest, leaderEpoch: -1 }] });
      deps.onOffsetReset(groupId, p);
    }
  };

  const create = deps.createConsumer ?? ((o) => new Consumer<string, Buffer, string, string>(o));
  const newConsumer = (attempt: number): Consumer<string, Buffer, string, string> =>
    create({
      ...platformaticBaseOptions(config, attempt - 1),
      // The broker holds a JoinGroup up to the rebalance timeout, and 1.x gives it no more time
      // than any other request (kafkajs does): shorter, and every rebalance with a member gone
      // times out on our side and starts a new consumer (seen in the kill-worker soak).
      requestTimeout: Math.max(config.request_timeout_ms, config.consumer.session_timeout_ms + 5000),
      retries: 3,
      groupId,
      sessionTimeout: config.consumer.session_timeout_ms,
      heartbeatInterval: config.consumer.heartbeat_interval_ms,
      rebalanceTimeout: config.consumer.session_timeout_ms, // 1.x wants it >= sessionTimeout
      // kafkajs's assignor name and version (the encodings are Kafka's standard ones): a sink's
      // workers can then be switched from one client to the other one at a time.
      protocols: [{ name: 'RoundRobinAssigner', version: 0 }],
      deserializers: { key: stringDeserializer, headerKey: stringDeserializer, headerValue: stringDeserializer },
    });

  const supervise = async (): Promise<void> => {
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      // Each new consumer asks the next bootstrap broker first (see platformatic-client.ts).
      const c = newConsumer(attempt);
      consumer = c;
      const fatal = new Promise<unknown>((resolve) => {
        c.on('error', resolve);
        // 1.x stops heartbeating for good after such an error (the member is expelled, keeps fetching).
        c.on('consumer:heartbeat:error', (e: { error?: unknown }) => resolve(e.error ?? new Error('heartbeat failed')));
      });
      let why: unknown;
      let current: Run | undefined;
      let stream: MessagesStream<string, Buffer, string, string> | undefined;
      try {
        stream = await c.consume({
          topics: [topic],
          autocommit: false,
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: config.consumer.from_beginning ? MessagesStreamFallbackModes.EARLIEST : MessagesStreamFallbackModes.LATEST,
          ...(options.maxWaitMs !== undefined && options.maxWaitMs > 0 ? { minBytes: 65536, maxWaitTime: options.maxWaitMs } : {}),
        });
        if (!stopping.signal.aborted) {
          log.info({ group: groupId, topic }, 'consuming');
          current = run(c, stream);
          why = await Promise.race([fatal, current.ended, stopped]);
          if (!stopping.signal.aborted) current.end(why); // a sink retrying a held partition stops now
        }
      } catch (err) {
        why = err;
      }
      await current?.idle();
      if (stopping.signal.aborted) return;
      if (isOffsetOutOfRange(why)) {
        await resetExpired(c).catch((err: unknown) => log.warn({ err }, 'cannot move past the records retention deleted; retrying'));
        attempt = 0;
      } else log.error({ err: why, attempt }, 'consumer stopped after an error; starting a new one');
      await stream?.close().catch(() => undefined);
      await closeConsumer(c).catch(() => undefined);
      await sleep(backoffMs(Math.max(1, attempt), { initial_backoff_ms: 500, max_backoff_ms: 10000 }, Math.random()), stopping.signal);
    }
  };

  const done = supervise().catch((err: unknown) => log.error({ err }, 'consumer supervisor failed'));

  return supervisedConsumerHandle({ done, stopping, aborting, leave: async () => (consumer === undefined ? undefined : closeConsumer(consumer)), logger: log, groupId });
}
