// Metric points → one OpenTelemetry `ResourceMetrics` (the sdk-metrics data model the official
// OTLP serializer takes): one gauge per metric name, one data point per sample, each with the
// sample's own time as `endTime` (→ timeUnixNano). The OTel metrics API cannot record a point at a
// chosen time, hence building the data by hand (sink-protocols.md §3.5). Pure.
import { ValueType, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type GaugeMetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { MetricPoint } from '../../pipeline/sink-contract.ts';

export const SCOPE = { name: 'qss-forwarder', version: '0.1.0' } as const;

export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export function pointsToResourceMetrics(points: readonly MetricPoint[], resource: Resource): ResourceMetrics {
  const byName = new Map<string, GaugeMetricData & { dataPoints: GaugeMetricData['dataPoints'] }>();
  for (const p of points) {
    let metric = byName.get(p.name);
    if (metric === undefined) {
      metric = {
        descriptor: { name: p.name, description: p.description ?? '', unit: p.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE, // not sent for gauges
        dataPointType: DataPointType.GAUGE,
        dataPoints: [],
      };
      byName.set(p.name, metric);
    }
    const t = hrTime(p.time_ms);
    metric.dataPoints.push({ startTime: t, endTime: t, attributes: p.attributes, value: p.value });
  }
  return { resource, scopeMetrics: [{ scope: SCOPE, metrics: [...byName.values()] }] };
}
