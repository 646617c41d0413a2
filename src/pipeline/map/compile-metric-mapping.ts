// The map stage for a metric sink: QoS samples → the metric points this sink sends. The default
// catalogue passes samples through (name, unit, value and time unchanged); custom metrics select
// samples by source/stat/qos type and convert units. Then the sink's attribute filter and its
// cardinality cap. Compiled once per sink config; pure apart from the cap's series memory.
import { METRIC_CATALOGUE } from '../normalize/metric-catalogue.ts';
import { QOS_ATTRIBUTES } from '../normalize/qos-sample.ts';
import type { QosSample } from '../normalize/qos-sample.ts';
import { compileAttributeFilter, type AttributeFilter } from './compile-attribute-filter.ts';
import type { MetricPoint } from './metric-point.ts';
import { resolveMetricSource } from './resolve-metric-source.ts';
import { createSeriesLimiter } from './series-limiter.ts';
import type { SinkMappingConfig } from './sink-mapping-config.ts';
import { convertValue, unitFactor } from './unit-conversions.ts';

export interface MetricMapping {
  /** Appends this sink's points for `samples` to `out`; returns how many points the cap dropped. */
  map(samples: readonly QosSample[], nowMs: number, out: MetricPoint[]): number;
}

interface CompiledCustom {
  name: string;
  unit: string;
  factor: number;
  stat: string | undefined;
  qosTypes: ReadonlySet<string> | undefined;
  fixed: readonly (readonly [string, string])[];
  filter: AttributeFilter;
  description: string | undefined;
}

const DESCRIPTIONS: ReadonlyMap<string, string> = new Map(Object.values(METRIC_CATALOGUE).map((m) => [m.name, m.description]));

/** Throws on a source or unit the config check should have refused (a bug, not bad input). */
function compileCustom(config: SinkMappingConfig, sinkFilter: { allow?: string[]; deny?: string[] }): Map<string, CompiledCustom[]> {
  const byMetric = new Map<string, CompiledCustom[]>();
  for (const c of config.metrics.custom) {
    const source = resolveMetricSource(c.source);
    if (source === undefined) throw new Error(`unknown metric source ${c.source}`);
    const unit = c.unit ?? source.unit;
    const factor = unitFactor(source.unit, unit);
    if (factor === undefined) throw new Error(`unit ${unit} does not fit ${source.unit}`);
    const compiled: CompiledCustom = {
      name: c.name,
      unit,
      factor,
      stat: c.stat ?? source.stat,
      qosTypes: c.qos_types === undefined ? undefined : new Set(c.qos_types),
      fixed: Object.entries(source.attributes ?? {}),
      filter: compileAttributeFilter({ ...sinkFilter, ...(c.attributes === undefined ? {} : { pick: c.attributes }) }),
      description: c.description,
    };
    const list = byMetric.get(source.metric) ?? [];
    list.push(compiled);
    byMetric.set(source.metric, list);
  }
  return byMetric;
}

function selects(c: CompiledCustom, s: QosSample): boolean {
  if (c.stat !== undefined && (s.stat ?? 'none') !== c.stat) return false;
  const a = s.attributes;
  if (c.qosTypes !== undefined && !c.qosTypes.has(a[QOS_ATTRIBUTES.qosType] ?? '')) return false;
  for (const [k, v] of c.fixed) if (a[k] !== v) return false;
  return true;
}

export function compileMetricMapping(config: SinkMappingConfig): MetricMapping {
  const sinkFilter = config.attributes;
  const filter = compileAttributeFilter(sinkFilter);
  const catalogue = config.metrics.catalogue === 'default';
  const custom = compileCustom(config, sinkFilter);
  const cap = config.cardinality.max_series_per_metric;
  const limiter = cap === 0 ? undefined : createSeriesLimiter({ maxSeriesPerMetric: cap, idleMs: config.cardinality.idle_minutes * 60_000 });

  return {
    map(samples, nowMs, out) {
      let dropped = 0;
      for (const s of samples) {
        if (catalogue) {
          const p: MetricPoint = { name: s.metric, unit: s.unit, value: s.value, time_ms: s.time_ms, attributes: filter(s.attributes), description: DESCRIPTIONS.get(s.metric) as string };
          if (limiter === undefined || limiter.admit(p.name, p.attributes, nowMs)) out.push(p);
          else dropped++;
        }
        const list = custom.size === 0 ? undefined : custom.get(s.metric);
        if (list === undefined) continue;
        for (const c of list) {
          if (!selects(c, s)) continue;
          const point: MetricPoint = { name: c.name, unit: c.unit, value: convertValue(s.value, c.factor), time_ms: s.time_ms, attributes: c.filter(s.attributes) };
          if (c.description !== undefined) point.description = c.description;
          if (limiter === undefined || limiter.admit(point.name, point.attributes, nowMs)) out.push(point);
          else dropped++;
        }
      }
      return dropped;
    },
  };
}
