// The `prometheus` sink's memory: the last value of every series (metric + labels), rendered in
// the Prometheus text exposition format (0.0.4) on scrape. Series not updated for `idleMs` are
// dropped, so ended meetings disappear from the scrape. Pure apart from its own state; the clock
// is passed in.
import type { MetricPoint } from '../../pipeline/sink-contract.ts';
import { prometheusLabelName, prometheusMetricName } from './prometheus-names.ts';

interface Family {
  name: string;
  help: string;
  series: Map<string, { labels: string; value: number; timeMs: number; updatedMs: number }>;
}

export interface GaugeStore {
  update(points: readonly MetricPoint[], nowMs: number): void;
  render(nowMs: number, withTimestamps: boolean): string;
  seriesCount(): number;
}

/** `\`, `"` and newlines escaped for label values; `\` and newlines for HELP text. */
const labelValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const helpText = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function createGaugeStore(options: { idleMs: number }): GaugeStore {
  const families = new Map<string, Family>();
  const metricNames = new Map<string, string>(); // `${name}\u0000${unit}` → Prometheus name
  const labelSets = new WeakMap<object, string>(); // attributes object → rendered `{…}`

  const renderLabels = (attributes: Readonly<Record<string, string>>): string => {
    let text = labelSets.get(attributes);
    if (text === undefined) {
      const pairs = Object.keys(attributes)
        .map((k) => [prometheusLabelName(k), attributes[k] as string] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}="${labelValue(v)}"`);
      text = pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
      labelSets.set(attributes, text);
    }
    return text;
  };

  const sweep = (nowMs: number): void => {
    for (const [key, family] of families) {
      for (const [labels, s] of family.series) if (nowMs - s.updatedMs >= options.idleMs) family.series.delete(labels);
      if (family.series.size === 0) families.delete(key);
    }
  };

  return {
    update(points, nowMs) {
      for (const p of points) {
        const nameKey = `${p.name}\u0000${p.unit}`;
        let name = metricNames.get(nameKey);
        if (name === undefined) {
          name = prometheusMetricName(p.name, p.unit);
          metricNames.set(nameKey, name);
        }
        let family = families.get(name);
        if (family === undefined) {
          family = { name, help: p.description ?? p.name, series: new Map() };
          families.set(name, family);
        }
        const labels = renderLabels(p.attributes);
        const current = family.series.get(labels);
        // The newest sample wins; an older one arriving late (Zoom retries) does not go back in time.
        if (current === undefined || current.timeMs <= p.time_ms) family.series.set(labels, { labels, value: p.value, timeMs: p.time_ms, updatedMs: nowMs });
        else current.updatedMs = nowMs;
      }
    },
    render(nowMs, withTimestamps) {
      sweep(nowMs);
      const out: string[] = [];
      for (const family of [...families.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        out.push(`# HELP ${family.name} ${helpText(family.help)}`, `# TYPE ${family.name} gauge`);
        for (const s of family.series.values()) out.push(`${family.name}${s.labels} ${formatValue(s.value)}${withTimestamps ? ` ${Math.round(s.timeMs)}` : ''}`);
      }
      return out.length === 0 ? '' : `${out.join('\n')}\n`;
    },
    seriesCount: () => [...families.values()].reduce((n, f) => n + f.series.size, 0),
  };
}
