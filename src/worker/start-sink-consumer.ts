// One sink's consumer: reads the bus with its own position, runs each batch through the sink's
// pipeline (decode → normalize → enrich → route → map), hands what is left to the sink once,
// dead-letters what the sink refused and the records the pipeline rejected, and lets the bus
// commit only what is done. It does not retry: the sink's write does, with backoff, holding the
// position meanwhile (src/delivery owns retries: retry-writes.ts around every sink's write,
// deliver-chunks.ts per HTTP request); a write answers `retryable` only when the consumer is
// stopping, and then nothing is committed.
import type { Logger } from 'pino';
import type { BatchHandler, Bus, BusRecord, ConsumerHandle } from '../bus/bus.ts';
import type { RefusedRecord } from '../delivery/delivery-result.ts';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import type { Sink } from '../sinks/sink.ts';
import { prepareSinkBatch, type BatchStats, type PrepareContext, type SinkPipeline } from '../pipeline/prepare-sink-batch.ts';
import type { WorkerConfig } from './worker-config.ts';

export interface SinkConsumerDeps {
  bus: Bus;
  sink: Sink;
  /** The sink's current pipeline: read at the start of each batch, so a reload applies to the next one. */
  pipeline: () => SinkPipeline;
  cache: PrepareContext['cache'];
  config: WorkerConfig;
  logger: Logger;
  metrics: SelfMetrics;
  /** Wait up to this long for a batch to fill before delivering it (the sink's `batch.max_wait_ms`). */
  maxWaitMs?: number;
  /** Called after each batch was prepared (the worker reads the shared cache's counters then). */
  afterPrepare?: () => void;
  now?: () => number;
}

/** One dead letter per record (a record whose points went out in several requests may be refused by more than one). */
function uniqueRefusals(refused: readonly RefusedRecord<BusRecord>[]): RefusedRecord<BusRecord>[] {
  const seen = new Map<string, RefusedRecord<BusRecord>>();
  for (const r of refused) if (!seen.has(r.record.id)) seen.set(r.record.id, r);
  return [...seen.values()];
}

function countStats(metrics: SelfMetrics, sink: string, stats: BatchStats): void {
  for (const [outcome, n] of Object.entries(stats.outcomes)) if (n > 0) metrics.pipelineRecords.inc({ sink, outcome }, n);
  for (const [reason, n] of Object.entries(stats.skipped)) metrics.pipelineFieldsSkipped.inc({ sink, reason }, n);
  const unkeyed = stats.samples - stats.enriched - stats.not_enriched;
  if (stats.enriched > 0) metrics.pipelineSamples.inc({ sink, enrichment: 'enriched' }, stats.enriched);
  if (stats.not_enriched > 0) metrics.pipelineSamples.inc({ sink, enrichment: 'not_found' }, stats.not_enriched);
  if (unkeyed > 0) metrics.pipelineSamples.inc({ sink, enrichment: 'unkeyed' }, unkeyed);
  if (stats.dropped_cardinality > 0) metrics.sinkPointsDropped.inc({ sink, reason: 'cardinality_cap' }, stats.dropped_cardinality);
  if (stats.pii_changed > 0) metrics.piiFieldsChanged.inc({ sink }, stats.pii_changed);
  for (const [attribute, n] of Object.entries(stats.values_cut)) metrics.pipelineValuesCut.inc({ sink, attribute }, n);
}

export function startSinkConsumer(deps: SinkConsumerDeps): ConsumerHandle {
  const { bus, sink, config, metrics } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'worker', sink: sink.name });

  const deadLetter = async (records: readonly BusRecord[], reason: string, attempts: number): Promise<void> => {
    if (records.length === 0) return;
    for (const record of records) await bus.deadLetter(record, { consumer: sink.name, reason, attempts });
    metrics.sinkDeadLettered.inc({ sink: sink.name, reason }, records.length);
    log.error({ events: records.length, reason, attempts }, 'events dead-lettered');
  };

  /** Records the pipeline (undecodable, not a valid QSS event) or the backend refused, grouped by reason and attempts. */
  const deadLetterRejected = async (rejected: readonly RefusedRecord<BusRecord>[]): Promise<void> => {
    const groups = new Map<string, { reason: string; attempts: number; records: BusRecord[] }>();
    for (const { record, reason, attempts = 1 } of rejected) {
      const key = `${attempts} ${reason}`;
      const group = groups.get(key) ?? { reason, attempts, records: [] };
      group.records.push(record);
      groups.set(key, group);
    }
    for (const { reason, attempts, records } of groups.values()) await deadLetter(records, reason, attempts);
  };

  const handler: BatchHandler = async (all, { stop, abort }) => {
    // Records replayed for another sink (meta.targetSink) are passed by: done, not delivered.
    const batch = all.filter((r) => r.meta.targetSink === undefined || r.meta.targetSink === sink.name);
    if (batch.length === 0) return all.length;
    const prepared = prepareSinkBatch(batch, deps.pipeline(), { cache: deps.cache, nowMs: now(), maxAttributeValueChars: config.max_attribute_value_chars });
    deps.afterPrepare?.();
    countStats(metrics, sink.name, prepared.stats);
    if (prepared.delivering.length === 0) {
      await deadLetterRejected(prepared.rejected);
      return all.length;
    }
    const timer = metrics.sinkBatchSeconds.startTimer({ sink: sink.name });
    const payload = { events: prepared.events, points: prepared.points, pointRecords: prepared.pointRecords };
    const result = await sink.write(payload, { stop, abort });
    if (result.status === 'retryable') return 0; // stopping: the batch comes again after the restart
    if (result.status === 'permanent') {
      await deadLetter(prepared.delivering, result.reason, result.attempts ?? 1);
      await deadLetterRejected(prepared.rejected);
      return all.length;
    }
    const refused = result.status === 'partial' ? result.refused : [];
    const refusedIds = new Set(refused.map((r) => r.record.id));
    metrics.sinkDelivered.inc({ sink: sink.name }, prepared.delivering.length - refusedIds.size);
    const points = prepared.pointRecords.filter((r) => !refusedIds.has(r.id)).length;
    if (points > 0) metrics.sinkPointsDelivered.inc({ sink: sink.name }, points);
    timer();
    await deadLetterRejected([...prepared.rejected, ...uniqueRefusals(refused)]);
    return all.length;
  };

  return bus.consume(sink.name, handler, { maxBatchEvents: config.max_batch_events, maxWaitMs: deps.maxWaitMs ?? 0 });
}
