// A custom metric's `source:` → which samples feed it: a catalogue metric name (`zoom.qos.latency`)
// or one Zoom detail field (`avg_latency` = latency samples with stat avg). Pure.
import { METRIC_CATALOGUE } from '../normalize/metric-catalogue.ts';
import type { QosMetricName, QosMetricSource, QosStat, QosUnit } from '../normalize/metric-catalogue.ts';

export interface MetricSource {
  metric: QosMetricName;
  unit: QosUnit;
  /** Set for a detail field: `none` for fields without a statistic (`latency`, `bitrate`, …). */
  stat?: QosStat | 'none';
  /** Fixed attributes the field's samples carry (`zoom.cpu.scope`). */
  attributes?: Readonly<Record<string, string>>;
}

function buildIndex(): ReadonlyMap<string, MetricSource> {
  const index = new Map<string, MetricSource>();
  const fieldUses = new Map<string, number>();
  for (const m of Object.values(METRIC_CATALOGUE)) {
    for (const s of m.sources as readonly QosMetricSource[]) fieldUses.set(s.field, (fieldUses.get(s.field) ?? 0) + 1);
  }
  for (const m of Object.values(METRIC_CATALOGUE)) {
    index.set(m.name, { metric: m.name, unit: m.unit });
    for (const s of m.sources as readonly QosMetricSource[]) {
      // A field feeding two metrics (`resolution`: width and height) is named by its metrics instead.
      if (fieldUses.get(s.field) !== 1) continue;
      index.set(s.field, { metric: m.name, unit: m.unit, stat: s.stat ?? 'none', ...(s.attributes === undefined ? {} : { attributes: s.attributes }) });
    }
  }
  return index;
}

const INDEX = buildIndex();

export function resolveMetricSource(source: string): MetricSource | undefined {
  return INDEX.get(source);
}

/** Every accepted `source:` value (for "did you mean" and docs). */
export const METRIC_SOURCE_NAMES: readonly string[] = [...INDEX.keys()];
