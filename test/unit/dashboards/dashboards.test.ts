// The dashboard files in docs/dashboards/: up to date with their generator, and every metric and
// label/tag they query is one the matching sink (or the forwarder's /metrics) really emits by default.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dashboardFiles } from '../../../src/dashboards/render-dashboards.ts';
import { PANELS, TEMPLATE_VARIABLES } from '../../../src/dashboards/dashboard-panels.ts';
import { SAMPLE_ATTRIBUTE_NAMES } from '../../../src/pipeline/map/sample-attribute-names.ts';
import { METRIC_CATALOGUE } from '../../../src/pipeline/normalize/metric-catalogue.ts';
import { createSelfMetrics } from '../../../src/observability/self-metrics.ts';
import { DATADOG_DEFAULT_DENY } from '../../../src/sinks/datadog/datadog-sink-config.ts';
import { datadogMetricName } from '../../../src/sinks/datadog/sink-batch-to-datadog.ts';
import { prometheusLabelName, prometheusMetricName } from '../../../src/sinks/prometheus/prometheus-names.ts';
import { hecMetricName } from '../../../src/sinks/splunk-hec/sink-batch-to-hec.ts';

const catalogue = Object.values(METRIC_CATALOGUE);
const selfMetrics = async (): Promise<{ names: Set<string>; labels: Set<string> }> => {
  const json = await createSelfMetrics({ processMetrics: false }).registry.getMetricsAsJSON();
  return { names: new Set(json.map((m) => m.name)), labels: new Set(json.flatMap((m) => (m.values as { labels: Record<string, unknown> }[]).flatMap((v) => Object.keys(v.labels)))) };
};
const SELF_LABELS = ['app', 'outcome', 'reason', 'sink', 'result', 'consumer', 'partition', 'le', 'enrichment'];

describe('dashboards (docs/dashboards)', () => {
  it('the committed files are what the generator writes (run `npm run docs:dashboards`)', () => {
    for (const [file, text] of Object.entries(dashboardFiles())) expect(readFileSync(`docs/dashboards/${file}`, 'utf8'), file).to.equal(text);
  });

  it('Grafana: every PromQL metric is a catalogue metric (as Prometheus names it) or one of the forwarder\'s; every label is emitted', async () => {
    const names = new Set(catalogue.map((m) => prometheusMetricName(m.name, m.unit)));
    const self = await selfMetrics();
    const labels = new Set([...SAMPLE_ATTRIBUTE_NAMES.map(prometheusLabelName), ...SELF_LABELS]);
    const dashboard = JSON.parse(readFileSync('docs/dashboards/grafana/zoom-quality.json', 'utf8')) as { panels: { targets?: { expr: string }[] }[]; templating: { list: { definition?: string }[] } };
    const exprs = [...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...dashboard.templating.list.flatMap((v) => (v.definition === undefined ? [] : [v.definition]))];
    expect(exprs.length).to.be.greaterThan(15);
    for (const expr of exprs) {
      // Metric names: what is left once label matchers, `by (…)` lists and label_values' label are taken out.
      const metricsOnly = expr.replace(/\bby \([^)]*\)/g, '').replace(/[a-z_]+\s*(=~|!=|=)\s*"[^"]*"/g, '').replace(/,\s*[a-z_]+\)/g, ')');
      for (const [metric] of metricsOnly.matchAll(/\b(zoom_qos_[A-Za-z0-9_]+|qss_forwarder_[a-z0-9_]+)\b/g)) {
        if (metric.startsWith('zoom_')) expect(names.has(metric), `${metric} in ${expr}`).to.equal(true);
        else expect(self.names.has(metric.replace(/_(bucket|sum|count)$/, '')), `${metric} in ${expr}`).to.equal(true);
      }
      const used = [...expr.matchAll(/([a-z_]+)\s*(?:=~|!=|=)\s*"/g)].map((m) => m[1]!);
      for (const group of expr.matchAll(/\bby \(([^)]*)\)/g)) used.push(...group[1]!.split(',').map((s) => s.trim()));
      for (const l of used) expect(labels.has(l), `label ${l} in ${expr}`).to.equal(true);
    }
  });

  it('Datadog: every metric is one the datadog sink writes, every tag one it keeps by default; monitors too', async () => {
    const names = new Set(catalogue.map((m) => datadogMetricName(m.name)));
    const self = await selfMetrics();
    const kept = new Set(SAMPLE_ATTRIBUTE_NAMES.filter((a) => !(DATADOG_DEFAULT_DENY as readonly string[]).includes(a)));
    const dashboard = readFileSync('docs/dashboards/datadog/zoom-quality-dashboard.json', 'utf8');
    const monitors = ['monitor-packet-loss-by-location', 'monitor-dead-letters'].map((f) => readFileSync(`docs/dashboards/datadog/${f}.json`, 'utf8'));
    const queries = [...dashboard.matchAll(/"q": "([^"]+)"/g), ...monitors.flatMap((m) => [...m.matchAll(/"query": "([^"]+)"/g)])].map((m) => m[1]!);
    expect(queries.length).to.be.greaterThan(10);
    for (const q of queries) {
      for (const [, metric] of q.matchAll(/(?:avg|max|min|sum):([a-z0-9_.]+)\{/g)) {
        if (metric!.startsWith('zoom.')) expect(names.has(metric!), `${metric} in ${q}`).to.equal(true);
        else expect(self.names.has(`qss_forwarder_${metric!.replace(/^qss_forwarder\./, '').replace(/\.count$/, '')}`) || self.names.has(`qss_forwarder_${metric!.replace(/^qss_forwarder\./, '').replace(/\.count$/, '')}_total`), `${metric} in ${q}`).to.equal(true);
      }
      for (const [, tag] of q.matchAll(/[{,!]\s*(zoom\.[a-z_.]+):/g)) expect(kept.has(tag!), `tag ${tag} in ${q}`).to.equal(true);
      for (const group of q.matchAll(/ by \{([^}]*)\}/g)) for (const t of group[1]!.split(',').filter((x) => x.startsWith('zoom.'))) expect(kept.has(t), `tag ${t} in ${q}`).to.equal(true);
    }
    for (const v of TEMPLATE_VARIABLES) expect(kept.has(v.attribute), v.attribute).to.equal(true);
  });

  it('Splunk: every mstats metric is one the splunk_hec sink writes; every dimension one it keeps', () => {
    const names = new Set(catalogue.map((m) => hecMetricName(m.name)));
    const studio = JSON.parse(readFileSync('docs/dashboards/splunk/zoom-quality-dashboard-studio.json', 'utf8')) as { dataSources: Record<string, { options: { query: string } }> };
    const queries = Object.values(studio.dataSources).map((d) => d.options.query);
    expect(queries.length).to.equal(PANELS.filter((p) => p.splunk.length > 0).length);
    for (const q of queries) {
      for (const [, metric] of q.matchAll(/mstats \w+\("([^"]+)"\)/g)) expect(names.has(metric!), `${metric} in ${q}`).to.equal(true);
      for (const [, dim] of q.replace(/\w+\("[^"]+"\)/g, '').matchAll(/"(zoom\.[a-z_.]+)"/g)) expect(SAMPLE_ATTRIBUTE_NAMES.includes(dim!), `dimension ${dim} in ${q}`).to.equal(true);
    }
  });
});
