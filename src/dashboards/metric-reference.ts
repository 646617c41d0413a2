// docs/metrics.md, generated from the code: the QoS metric catalogue (with the name each backend
// shows), the attributes samples carry, and the forwarder's own metrics on /metrics. Pure apart from
// reading the prom-client registry it creates. Regenerate with `npm run docs:metrics`.
import { METRIC_CATALOGUE, type QosMetricSource } from '../pipeline/normalize/metric-catalogue.ts';
import { SAMPLE_ATTRIBUTE_NAMES } from '../pipeline/map/sample-attribute-names.ts';
import { DATADOG_DEFAULT_DENY } from '../sinks/datadog/datadog-sink-config.ts';
import { datadogMetricName } from '../sinks/datadog/sink-batch-to-datadog.ts';
import { prometheusLabelName, prometheusMetricName } from '../sinks/prometheus/prometheus-names.ts';
import { hecMetricName } from '../sinks/splunk-hec/sink-batch-to-hec.ts';
import { createSelfMetrics } from '../observability/self-metrics.ts';

const code = (s: string): string => `\`${s}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|');

function sources(list: readonly QosMetricSource[]): string {
  return list
    .map((s) => {
      const extras = [s.stat ?? 'real-time', ...Object.entries(s.attributes ?? {}).map(([k, v]) => `${k}=${v}`), ...(s.part === undefined ? [] : [s.part])];
      return `${code(s.field)} (${extras.join(', ')})`;
    })
    .join('; ');
}

export async function metricReferenceMarkdown(): Promise<string> {
  const out: string[] = [
    '# Metric reference',
    '',
    '<!-- Generated from the code by src/dashboards/metric-reference.ts: run `npm run docs:metrics`, do not edit by hand. -->',
    '',
    '## Zoom quality metrics (the default catalogue)',
    '',
    'Every metric sink sends these names (OpenTelemetry conventions, base units); each sample\'s time is',
    'its own (`qos[].date_time`, else `event_ts`). How Zoom\'s fields are parsed: [normalization.md](normalization.md).',
    'The Prometheus name is the one the OpenTelemetry Collector\'s Prometheus exporter and the `prometheus`',
    'sink write; Datadog and Splunk names are what the `datadog` and `splunk_hec` sinks write.',
    '',
    '| metric | unit | description | from Zoom detail fields (statistic) | Prometheus | Datadog | Splunk |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const m of Object.values(METRIC_CATALOGUE)) {
    out.push(`| ${[code(m.name), code(m.unit), m.description, sources(m.sources as readonly QosMetricSource[]), code(prometheusMetricName(m.name, m.unit)), code(datadogMetricName(m.name)), code(hecMetricName(m.name))].map(cell).join(' | ')} |`);
  }
  out.push(
    '',
    '## Attributes',
    '',
    'What a sample can carry (after enrichment). In Prometheus the name\'s dots become underscores; in',
    'Datadog they are tags `key:value` (lower-cased, sanitised), and the per-participant ids are left',
    'out by default; in Splunk they are dimensions with these exact names. Where each comes from:',
    '[routing.md](routing.md#attributes-and-cardinality).',
    '',
    '| attribute | Prometheus label | Datadog by default |',
    '| --- | --- | --- |',
    ...SAMPLE_ATTRIBUTE_NAMES.map((a) => `| ${code(a)} | ${code(prometheusLabelName(a))} | ${(DATADOG_DEFAULT_DENY as readonly string[]).includes(a) ? 'left out (one series per value)' : 'tag'} |`),
    '',
    '## The forwarder\'s own metrics (`GET /metrics` on the admin port)',
    '',
    '| metric | type | labels | meaning |',
    '| --- | --- | --- | --- |',
  );
  const registry = createSelfMetrics({ processMetrics: false }).registry;
  for (const m of (await registry.getMetricsAsJSON()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const single = registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] } | undefined;
    const labels = (single?.labelNames ?? []).map(code).join(', ');
    out.push(`| ${[code(m.name), String(m.type), labels === '' ? '—' : labels, m.help].map(cell).join(' | ')} |`);
  }
  out.push('', 'Plus Node.js process metrics (`qss_forwarder_process_*`, `qss_forwarder_nodejs_*`) unless `observability.process_metrics` is off.', '');
  return out.join('\n');
}
