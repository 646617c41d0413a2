// decode → normalize → enrich → route → map for one sink and one batch of bus records: what the
// sink must send (events or metric points), which records it delivers, which it must dead-letter
// and why, and counters for /metrics. Pure apart from the enrichment cache it is given (shared by
// the sinks of a worker: a data event puts the same values whichever sink reads it first).
// See docs/routing.md.
import type { BusRecord } from '../bus/bus.ts';
import type { ParticipantDimensionCache } from './enrich/participant-dimension-cache.ts';
import { applyPiiPolicy, type PiiPolicy } from './map/apply-pii-policy.ts';
import type { MetricMapping } from './map/compile-metric-mapping.ts';
import type { MetricPoint } from './map/metric-point.ts';
import type { SinkEvent } from './map/sink-event.ts';
import type { SinkData } from './map/sink-mapping-config.ts';
import { normalizeQssEvent, QSS_EVENTS, type DimensionLookup, type NormalizedQssEvent } from './normalize/normalize-qss-event.ts';
import type { CompiledRoute, RouteSubject } from './route/compile-routes.ts';

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
  /** The enrich lookup; prepareSinkBatch sets it to the cache's `get` once per batch. */
  lookup?: DimensionLookup;
  /** `worker.max_attribute_value_chars`: values read from bodies are cut to this; left out, nothing is cut. */
  maxAttributeValueChars?: number;
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
  /** Attribute values cut to the length cap, by attribute name (a fixed set: normalize's names). */
  values_cut: Record<string, number>;
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

/**
 * A record as the route stage sees it; the body is parsed once, on first use. A class, not
 * closures: this runs for every record of every sink (closures cost an allocation each, and the
 * dev loader names every one).
 */
class RecordSubject implements RouteSubject {
  readonly event: string;
  readonly accountId: string | undefined;
  readonly app: string;
  private parsed: unknown = UNDECODABLE;
  private done = false;

  constructor(private readonly record: BusRecord) {
    this.event = record.meta.event;
    this.accountId = record.meta.accountId;
    this.app = record.meta.app;
  }

  /** The parsed body, or UNDECODABLE. */
  decoded(): unknown {
    if (!this.done) {
      this.done = true;
      try {
        this.parsed = JSON.parse(this.record.body.toString('utf8'));
      } catch {
        this.parsed = UNDECODABLE;
      }
    }
    return this.parsed;
  }

  body(): unknown {
    const b = this.decoded();
    return b === UNDECODABLE ? undefined : b;
  }
}

function matchingRoutes(pipeline: SinkPipeline, subject: RouteSubject): string[] {
  const names: string[] = [];
  for (const r of pipeline.routes) if (r.matches(subject)) names.push(r.name);
  return names;
}

function traced(out: PreparedBatch, outcome: RecordOutcome, routes: string[], extra?: Partial<RecordTrace>): RecordTrace {
  out.stats.outcomes[outcome]++;
  return extra === undefined ? { outcome, routes } : { outcome, routes, ...extra };
}

function rejected(out: PreparedBatch, record: BusRecord, routes: string[], reason: string, extra?: Partial<RecordTrace>): RecordTrace {
  out.rejected.push({ record, reason });
  return traced(out, 'rejected', routes, { reason, ...extra });
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
    values_cut: {},
  };
}

/** One record through the stages; appends to `out`. Returns what happened (for `explain`). */
export function prepareRecord(record: BusRecord, pipeline: SinkPipeline, ctx: PrepareContext, out: PreparedBatch): RecordTrace {
  const subject = new RecordSubject(record);
  const routes = matchingRoutes(pipeline, subject);
  const routed = routes.length > 0;

  if (pipeline.data === 'events') {
    if (!routed) return traced(out, 'not_routed', routes);
    if (pipeline.pii.mode === 'keep') {
      out.events.push({ record, body: record.body.toString('utf8'), pii_changed: 0 });
    } else {
      const parsed = subject.decoded();
      // The PII policy cannot be applied to what does not parse: never forward it unfiltered.
      if (parsed === UNDECODABLE) return rejected(out, record, routes, 'undecodable');
      const filtered = applyPiiPolicy(parsed, pipeline.pii);
      out.events.push({ record, body: filtered.changed === 0 ? record.body.toString('utf8') : JSON.stringify(filtered.body), pii_changed: filtered.changed });
      out.stats.pii_changed += filtered.changed;
    }
    out.delivering.push(record);
    return traced(out, 'event', routes);
  }

  // Metric sink. Data events feed the enrichment cache whether or not they are routed here.
  const m = record.meta;
  const spec = Object.hasOwn(QSS_EVENTS, m.event) ? QSS_EVENTS[m.event] : undefined;
  const isData = spec?.output === 'dimensions';
  if (!routed && !isData) return traced(out, 'not_routed', routes);
  const parsed = subject.decoded();
  if (parsed === UNDECODABLE) return routed ? rejected(out, record, routes, 'undecodable') : traced(out, 'not_routed', routes);
  // Enrich happens inside normalize, where the participant is known (once per event).
  const normalized = normalizeQssEvent(parsed, m.receivedAt, ctx.lookup ?? ((key) => ctx.cache.get(key)), ctx.maxAttributeValueChars);
  if ((normalized.kind === 'qos' || normalized.kind === 'dimensions') && normalized.cut !== undefined) {
    for (const [name, n] of Object.entries(normalized.cut)) out.stats.values_cut[name] = (out.stats.values_cut[name] ?? 0) + n;
  }
  if (normalized.kind === 'dimensions') {
    for (const r of normalized.records) ctx.cache.put(r);
    out.stats.dimension_records += normalized.records.length;
  }
  if (!routed) return traced(out, 'not_routed', routes, { normalized });
  if (normalized.kind === 'invalid') return rejected(out, record, routes, `invalid_event:${normalized.reason}`, { normalized });
  if (normalized.kind !== 'qos') return traced(out, 'no_points', routes, { normalized, reason: normalized.kind === 'unsupported' ? 'not_a_qos_event' : 'participant_data' });
  for (const s of normalized.skipped) out.stats.skipped[s.reason] = (out.stats.skipped[s.reason] ?? 0) + 1;
  const n = normalized.samples.length;
  out.stats.samples += n;
  if (normalized.enrichment === 'enriched') out.stats.enriched += n;
  else if (normalized.enrichment === 'not_found') out.stats.not_enriched += n;
  const before = out.points.length;
  out.stats.dropped_cardinality += (pipeline.metrics as MetricMapping).map(normalized.samples, ctx.nowMs, out.points);
  const made = out.points.length - before;
  if (made === 0) return traced(out, 'no_points', routes, { normalized, reason: n === 0 ? 'no_samples' : 'no_matching_metric' });
  for (let i = 0; i < made; i++) out.pointRecords.push(record);
  out.delivering.push(record);
  return traced(out, 'points', routes, { normalized });
}

export function prepareSinkBatch(records: readonly BusRecord[], pipeline: SinkPipeline, context: PrepareContext): PreparedBatch {
  const out: PreparedBatch = { events: [], points: [], pointRecords: [], delivering: [], rejected: [], stats: emptyStats() };
  const cache = context.cache;
  const ctx: PrepareContext = context.lookup === undefined ? { ...context, lookup: (key) => cache.get(key) } : context;
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
