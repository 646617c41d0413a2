// Every attribute name a QoS sample can carry after normalize and enrich: what `attributes:`
// allow/deny lists and custom metrics' `attributes:` may name. Derived from the stages' own tables.
import { DIMENSION_FIELDS } from '../normalize/participant-dimensions.ts';
import { ITEM_ATTRIBUTE_DETAILS, METRIC_CATALOGUE } from '../normalize/metric-catalogue.ts';
import type { QosMetricSource } from '../normalize/metric-catalogue.ts';
import { QOS_ATTRIBUTES } from '../normalize/qos-sample.ts';

function collect(): string[] {
  const names = new Set<string>([...Object.values(QOS_ATTRIBUTES), ...DIMENSION_FIELDS.map(([, name]) => name), ...Object.values(ITEM_ATTRIBUTE_DETAILS)]);
  for (const m of Object.values(METRIC_CATALOGUE)) {
    for (const s of m.sources as readonly QosMetricSource[]) {
      for (const name of Object.keys(s.attributes ?? {})) names.add(name);
      for (const name of Object.keys(s.copyDetails ?? {})) names.add(name);
    }
  }
  return [...names].sort();
}

export const SAMPLE_ATTRIBUTE_NAMES: readonly string[] = collect();
