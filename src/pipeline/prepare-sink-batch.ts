// decode → normalize → enrich → route → map for one sink and one batch of bus records: what the
// sink must send (events or metric points), which records it delivers, which it must dead-letter
// and why, and counters for /metrics. Pure apart from the enrichment cache it is given (shared by
// the sinks of a worker: a data event puts the same values whichever sink reads it first).
// See docs/routing.md.
import type { BusRecord } from '../bus/bus.ts';
import type { ParticipantDimensionCache } from './enrich/participant-dimension-cache.ts';
import { enrichSamples } from './enrich/enrich-samples.ts';
import { applyPiiPolicy, type PiiPolicy } from './map/apply-pii-policy.ts';
import type { MetricMapping } from './map/compile-metric-mapping.ts';
import type { MetricPoint } from './map/metric-point.ts';
import type { SinkEvent } from './map/sink-event.ts';
import type { SinkData } from './map/sink-mapping-config.ts';
import { normalizeQssEvent, QSS_EVENTS, type NormalizedQssEvent } from './normalize/normalize-qss-event.ts';
import type { CompiledRoute } from './route/compile-routes.ts';

/** One sink's compiled view of sinks.yaml. */
export interface SinkPipeline {
  readonly name: string;
  readonly data: SinkData;
  /** The routes that list this sink, in file order. */
  readonly routes: readonly CompiledRoute[];
  /** Set when data is `metrics`. */
  readonly metrics: MetricMapping | undefined;
  readonly pii: PiiPolicy;
}

export interface PrepareContext {
  cache: Pick<ParticipantDimensionCache, 'get' | 'put'>;
  nowMs: number;
}

export type RecordOutcome = 'not_routed' | 'event' | 'points' | 'no_points' | 'rejected';

export interface BatchStats {
  /** Records by outcome. */
  outcomes: Record<RecordOutcome, number>;
  /** Normalize's skipped fields by reason (`empty`, `unparseable`, `unit_mismatch`, `unmapped_field`, `malformed_item`). */
  skipped: Record<string, number>;
  samples: number;
  enriched: number;
  not_enriched: number;
  dropped_cardinality: number;
  pii_changed: number;
  dimension_records: number;
}

export interface PreparedBatch {
  events: SinkEvent[];
  points: MetricPoint[];
  /** The record each point came from (same index as `points`): a refused point dead-letters it. */
  pointRecords: BusRecord[];
  /** Records the sink delivers with this batch (they produced events or points). */
  delivering: BusRecord[];
  /** Records to dead-letter instead, with the reason. */
  rejected: { record: BusRecord; reason: string }[];
  stats: BatchStats;
}

export interface RecordTrace {
  outcome: RecordOutcome;
  /** Routes (listing this sink) that matched. */
  routes: string[];
  reason?: string;
  normalized?: NormalizedQssEvent;
}

const UNDECODABLE = Symbol('undecodable');

/** The body parsed once per record, on first use. */
function lazyBody(record: BusRecord): () => unknown {
  let parsed: unknown = UNDECODABLE;
  let done = false;
  return () => {
    if (!done) {
      done = true;
      try {
        parsed = JSON.parse(record.body.toString('utf8'));
      } catch {
        parsed = UNDECODABLE;
      }
    }
    return parsed;
  };
}

export function emptyStats(): BatchStats {
  return {
    outcomes: { not_routed: 0, event: 0, points: 0, no_points: 0, rejected: 0 },
    skipped: {},
    samples: 0,
    enriched: 0,
    not_enriched: 0,
    dropped_cardinality: 0,
    pii_changed: 0,
    dimension_records: 0,
  };
}

/** One record through the stages; appends to `out`. Returns what happened (for `explain`). */
export function prepareRecord(record: BusRecord, pipeline: SinkPipeline, ctx: PrepareContext, out: PreparedBatch): RecordTrace {
  const body = lazyBody(record);
  const m = record.meta;
  const subject = { event: m.event, accountId: m.accountId, app: m.app, body: () => { const b = body(); return b === UNDECODABLE ? undefined : b; } };
  const routes = pipeline.routes.filter((r) => r.matches(subject)).map((r) => r.name);
  const routed = routes.length > 0;
  const trace = (outcome: RecordOutcome, extra: Partial<RecordTrace> = {}): RecordTrace => {
    out.stats.outcomes[outcome]++;
    return { outcome, routes, ...extra };
  };
  const reject = (reason: string, extra: Partial<RecordTrace> = {}): RecordTrace => {
    out.rejected.push({ record, reason });
    return trace('rejected', { reason, ...extra });
  };

  if (pipeline.data === 'events') {
    if (!routed) return trace('not_routed');
    if (pipeline.pii.mode === 'keep') {
      out.events.push({ record, body: record.body.toString('utf8'), pii_changed: 0 });
    } else {
      const parsed = body();
      // The PII policy cannot be applied to what does not parse: never forward it unfiltered.
      if (parsed === UNDECODABLE) return reject('undecodable');
      const filtered = applyPiiPolicy(parsed, pipeline.pii);
      out.events.push({ record, body: filtered.changed === 0 ? record.body.toString('utf8') : JSON.stringify(filtered.body), pii_changed: filtered.changed });
      out.stats.pii_changed += filtered.changed;
    }
    out.delivering.push(record);
    return trace('event');
  }

  // Metric sink. Data events feed the enrichment cache whether or not they are routed here.
  const spec = Object.hasOwn(QSS_EVENTS, m.event) ? QSS_EVENTS[m.event] : undefined;
  const isData = spec?.output === 'dimensions';
  if (!routed && !isData) return trace('not_routed');
  const parsed = body();
  if (parsed === UNDECODABLE) return routed ? reject('undecodable') : trace('not_routed');
  const normalized = normalizeQssEvent(parsed, m.receivedAt);
  if (normalized.kind === 'dimensions') {
    for (const r of normalized.records) ctx.cache.put(r);
    out.stats.dimension_records += normalized.records.length;
  }
  if (!routed) return trace('not_routed', { normalized });
  if (normalized.kind === 'invalid') return reject(`invalid_event:${normalized.reason}`, { normalized });
  if (normalized.kind !== 'qos') return trace('no_points', { normalized, reason: normalized.kind === 'unsupported' ? 'not_a_qos_event' : 'participant_data' });
  for (const s of normalized.skipped) out.stats.skipped[s.reason] = (out.stats.skipped[s.reason] ?? 0) + 1;
  const enriched = enrichSamples(normalized.samples, ctx.cache);
  out.stats.samples += normalized.samples.length;
  out.stats.enriched += enriched.enriched;
  out.stats.not_enriched += enriched.not_found;
  const before = out.points.length;
  out.stats.dropped_cardinality += (pipeline.metrics as MetricMapping).map(enriched.samples, ctx.nowMs, out.points);
  const made = out.points.length - before;
  if (made === 0) return trace('no_points', { normalized, reason: normalized.samples.length === 0 ? 'no_samples' : 'no_matching_metric' });
  for (let i = 0; i < made; i++) out.pointRecords.push(record);
  out.delivering.push(record);
  return trace('points', { normalized: { ...normalized, samples: enriched.samples } });
}

export function prepareSinkBatch(records: readonly BusRecord[], pipeline: SinkPipeline, ctx: PrepareContext): PreparedBatch {
  const out: PreparedBatch = { events: [], points: [], pointRecords: [], delivering: [], rejected: [], stats: emptyStats() };
  for (const record of records) {
    const lengths = [out.events.length, out.points.length, out.pointRecords.length, out.delivering.length];
    try {
      prepareRecord(record, pipeline, ctx, out);
    } catch (err) {
      // A body the stages cannot handle (e.g. JSON nested so deep that walking it overflows the
      // stack) must not block the sink: undo what it added, dead-letter it, go on.
      out.events.length = lengths[0]!;
      out.points.length = lengths[1]!;
      out.pointRecords.length = lengths[2]!;
      out.delivering.length = lengths[3]!;
      out.rejected.push({ record, reason: `unprocessable:${(err as Error).name}` });
      out.stats.outcomes.rejected++;
    }
  }
  return out;
}
