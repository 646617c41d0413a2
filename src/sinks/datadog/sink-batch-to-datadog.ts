// Sink batch → Datadog bodies (sink-protocols.md §2.2, §2.4). Pure.
// - metrics: `{"series":[…]}`, gauges (type 3), one series per metric + tag set, points with
//   integer epoch-second timestamps; tags `key:value` sanitised to Datadog's tag rules; points
//   outside Datadog's window (older than 1 h, more than 10 min ahead) are not sent.
// - events: a JSON array of log items, the Zoom JSON as `message`.
import type { BusRecord } from '../../bus/bus.ts';
import type { MetricPoint, SinkEvent } from '../../pipeline/sink-contract.ts';

export const DATADOG_MAX_AGE_MS = 3600_000;
export const DATADOG_MAX_AHEAD_MS = 600_000;
/** The intake's limit on one (compressed) series request body. */
export const DATADOG_MAX_COMPRESSED_BYTES = 512_000;
export const DATADOG_MAX_LOG_ITEMS = 1000;

/**
 * Datadog tag rules: starts with a letter; lower case letters, digits and `_ - : . /`; at most
 * 200 characters. Everything else becomes `_`.
 */
export function datadogTag(key: string, value: string): string {
  let tag = `${key}:${value}`.toLowerCase().replace(/[^a-z0-9_\-:./]/g, '_');
  if (!/^[a-z]/.test(tag)) tag = `t${tag}`;
  return tag.slice(0, 200);
}

/** Metric names: ASCII letters, digits, `_` and `.`, starting with a letter, ≤ 200. */
export function datadogMetricName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.]/g, '_');
  return (/^[A-Za-z]/.test(cleaned) ? cleaned : `m${cleaned}`).slice(0, 200);
}

/** Our units → Datadog's unit names; others are left out. */
const UNITS: Readonly<Record<string, string>> = { s: 'second', ms: 'millisecond', us: 'microsecond', 'bit/s': 'bit', 'kbit/s': 'kibibit', 'Mbit/s': 'mebibit', 'By/s': 'byte', '%': 'percent', '1': 'fraction', '{frame}/s': 'frame', '{pixel}': 'pixel' };

export interface DatadogPointItem {
  point: MetricPoint;
  record: BusRecord;
  /** The point's tags, sorted, joined by `,` (series key). */
  tags: string;
}

export type WindowVerdict = 'ok' | 'too_old' | 'too_far_ahead';

export function inDatadogWindow(timeMs: number, nowMs: number): WindowVerdict {
  if (timeMs < nowMs - DATADOG_MAX_AGE_MS) return 'too_old';
  if (timeMs > nowMs + DATADOG_MAX_AHEAD_MS) return 'too_far_ahead';
  return 'ok';
}

/** Tags of an attributes object (remembered per object: samples share them). */
export function tagger(extra: readonly string[]): (attributes: Readonly<Record<string, string>>) => string {
  const memo = new WeakMap<object, string>();
  return (attributes) => {
    let tags = memo.get(attributes);
    if (tags === undefined) {
      tags = [...Object.entries(attributes).map(([k, v]) => datadogTag(k, v)), ...extra].sort().join(',');
      memo.set(attributes, tags);
    }
    return tags;
  };
}

export function datadogSeriesBody(items: readonly DatadogPointItem[], host: string | undefined): Buffer {
  const series = new Map<string, { metric: string; type: 3; points: { timestamp: number; value: number }[]; tags: string[]; unit?: string; resources?: { name: string; type: string }[] }>();
  for (const { point, tags } of items) {
    const key = `${point.name}\u0000${point.unit}\u0000${tags}`;
    let s = series.get(key);
    if (s === undefined) {
      const unit = UNITS[point.unit];
      s = { metric: datadogMetricName(point.name), type: 3, points: [], tags: tags === '' ? [] : tags.split(','), ...(unit === undefined ? {} : { unit }), ...(host === undefined ? {} : { resources: [{ name: host, type: 'host' }] }) };
      series.set(key, s);
    }
    s.points.push({ timestamp: Math.floor(point.time_ms / 1000), value: point.value });
  }
  return Buffer.from(JSON.stringify({ series: [...series.values()] }));
}

export interface DatadogLogItem {
  record: BusRecord;
  json: string;
}

export function eventsToDatadogLogs(events: readonly SinkEvent[], labels: { service: string; ddsource: string; host?: string | undefined; tags: readonly string[] }): DatadogLogItem[] {
  return events.map((e) => {
    const m = e.record.meta;
    const tags = [datadogTag('zoom.event', m.event), ...(m.accountId === undefined ? [] : [datadogTag('zoom.account.id', m.accountId)]), ...labels.tags].join(',');
    const item = { message: e.body, ddsource: labels.ddsource, service: labels.service, ddtags: tags, ...(labels.host === undefined ? {} : { hostname: labels.host }) };
    return { record: e.record, json: JSON.stringify(item) };
  });
}
