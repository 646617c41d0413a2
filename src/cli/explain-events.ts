// `qss-forwarder explain`: what the worker would do with some Zoom bodies under a sinks.yaml —
// the normalized (and enriched) samples, and per sink whether it is routed there and the exact
// events or metric points it would receive. The same stage functions the worker runs, with a
// clock taken from each event's received time, so the report is deterministic. Pure.
import type { BusRecord, BusRecordMeta } from '../bus/bus.ts';
import type { SinksConfig } from '../sinks/sinks-config.ts';
import { compileSinkPipelines } from '../pipeline/compile-sink-pipelines.ts';
import { participantDimensionCacheOptions, type EnrichmentConfig } from '../pipeline/enrich/enrichment-config.ts';
import { createParticipantDimensionCache } from '../pipeline/enrich/participant-dimension-cache.ts';
import type { MetricPoint } from '../pipeline/map/metric-point.ts';
import { normalizeQssEvent, type CutValues } from '../pipeline/normalize/normalize-qss-event.ts';
import type { ParticipantDimensions } from '../pipeline/normalize/participant-dimensions.ts';
import type { QosSample, SkippedField } from '../pipeline/normalize/qos-sample.ts';
import { emptyStats, prepareRecord, type PreparedBatch, type RecordOutcome } from '../pipeline/prepare-sink-batch.ts';

export interface ExplainInput {
  body: Buffer;
  meta: BusRecordMeta;
}

export interface ExplainedSink {
  type: string;
  data: string;
  outcome: RecordOutcome;
  routes: string[];
  reason?: string;
  events?: { body: string; pii_changed: number }[];
  points?: { metric: string; unit: string; value: number; time: string; attributes: Readonly<Record<string, string>> }[];
  dropped_by_cardinality_cap?: number;
}

export interface ExplainedEvent {
  index: number;
  event: string;
  app: string;
  account_id: string | null;
  received_at: string;
  normalized:
    | { kind: 'qos'; samples: { metric: string; unit: string; value: number; time: string; attributes: Readonly<Record<string, string>> }[]; skipped: SkippedField[]; cut?: CutValues }
    | { kind: 'dimensions'; records: ParticipantDimensions[]; cut?: CutValues }
    | { kind: 'unsupported' }
    | { kind: 'invalid'; reason: string };
  sinks: Record<string, ExplainedSink>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const pointView = (p: MetricPoint) => ({ metric: p.name, unit: p.unit, value: p.value, time: iso(p.time_ms), attributes: p.attributes });
const sampleView = (s: QosSample) => ({ metric: s.metric, unit: s.unit, value: s.value, time: iso(s.time_ms), attributes: s.attributes });

/** `maxAttributeValueChars`: `worker.max_attribute_value_chars`, as the worker cuts values. */
export function explainEvents(inputs: readonly ExplainInput[], config: SinksConfig, enrichment: EnrichmentConfig, maxAttributeValueChars: number): ExplainedEvent[] {
  const pipelines = compileSinkPipelines(config);
  let clock = 0;
  const cache = createParticipantDimensionCache(participantDimensionCacheOptions(enrichment, () => clock));
  return inputs.map((input, i) => {
    clock = input.meta.receivedAt;
    const record: BusRecord = { id: String(i + 1), body: input.body, meta: input.meta };
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const n = normalizeQssEvent(parsed, input.meta.receivedAt, (key) => cache.get(key), maxAttributeValueChars);
    let normalized: ExplainedEvent['normalized'];
    if (n.kind === 'qos') normalized = { kind: 'qos', samples: n.samples.map(sampleView), skipped: n.skipped, ...(n.cut === undefined ? {} : { cut: n.cut }) };
    else if (n.kind === 'dimensions') {
      for (const r of n.records) cache.put(r);
      normalized = { kind: 'dimensions', records: n.records, ...(n.cut === undefined ? {} : { cut: n.cut }) };
    } else normalized = n.kind === 'invalid' ? { kind: 'invalid', reason: parsed === undefined ? 'undecodable' : n.reason } : { kind: 'unsupported' };

    const sinks: Record<string, ExplainedSink> = {};
    for (const [name, pipeline] of pipelines) {
      const out: PreparedBatch = { events: [], points: [], pointRecords: [], delivering: [], rejected: [], stats: emptyStats() };
      const trace = prepareRecord(record, pipeline, { cache, nowMs: clock, lookup: (key) => cache.get(key), maxAttributeValueChars }, out);
      const sink: ExplainedSink = { type: config.sinks[name]?.type ?? '', data: pipeline.data, outcome: trace.outcome, routes: trace.routes };
      if (trace.reason !== undefined) sink.reason = trace.reason;
      if (pipeline.data === 'events' && trace.outcome === 'event') sink.events = out.events.map((e) => ({ body: e.body, pii_changed: e.pii_changed }));
      if (pipeline.data === 'metrics' && trace.routes.length > 0 && trace.outcome !== 'rejected') {
        sink.points = out.points.map(pointView);
        if (out.stats.dropped_cardinality > 0) sink.dropped_by_cardinality_cap = out.stats.dropped_cardinality;
      }
      sinks[name] = sink;
    }
    return { index: i + 1, event: input.meta.event, app: input.meta.app, account_id: input.meta.accountId ?? null, received_at: iso(input.meta.receivedAt), normalized, sinks };
  });
}
