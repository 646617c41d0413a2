// Sink batch → HEC envelopes, one JSON text each (sent concatenated). Pure.
// - metrics: multi-metric events (Splunk 8+): the points of one record that share their
//   attributes and time go in one event: `"event":"metric"`, `fields` = the attributes as
//   dimensions + `metric_name:<name>`: value; `time` = the sample time in epoch seconds (ms decimals).
// - events: the Zoom JSON as `event`, `time` = its `event_ts` (else when it was received),
//   sourcetype `zoom:qss:<event type>`.
import type { BusRecord } from '../../bus/bus.ts';
import type { MetricPoint, SinkEvent } from '../../pipeline/sink-contract.ts';

export interface HecEnvelopeMeta {
  index?: string | undefined;
  host?: string | undefined;
  source: string;
  sourcetype?: string | undefined;
}

export interface HecItem {
  record: BusRecord;
  json: string;
}

/** Splunk metric names: letters, digits, `_ . :`; no leading digit or `_` (sink-protocols §1.4). */
export function hecMetricName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.:]/g, '_');
  return /^[A-Za-z.:]/.test(cleaned) ? cleaned : `m${cleaned}`;
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

function envelope(meta: HecEnvelopeMeta, time: number, sourcetype: string, rest: Record<string, unknown>): string {
  return JSON.stringify({
    time,
    ...(meta.host === undefined ? {} : { host: meta.host }),
    source: meta.source,
    sourcetype: meta.sourcetype ?? sourcetype,
    ...(meta.index === undefined || meta.index === '' ? {} : { index: meta.index }),
    ...rest,
  });
}

export function pointsToHecItems(points: readonly MetricPoint[], records: readonly BusRecord[], meta: HecEnvelopeMeta): HecItem[] {
  // Group key: record, attributes object (shared by the points of one sample group), time.
  const groups = new Map<BusRecord, Map<object, Map<number, Record<string, unknown>[]>>>();
  const order: { record: BusRecord; time: number; fields: Record<string, unknown> }[] = [];
  points.forEach((p, i) => {
    const record = records[i] as BusRecord;
    let byAttrs = groups.get(record);
    if (byAttrs === undefined) groups.set(record, (byAttrs = new Map()));
    let byTime = byAttrs.get(p.attributes);
    if (byTime === undefined) byAttrs.set(p.attributes, (byTime = new Map()));
    const key = `metric_name:${hecMetricName(p.name)}`;
    const list = byTime.get(p.time_ms) ?? [];
    byTime.set(p.time_ms, list);
    // The same metric twice at the same time and attributes (a repeated qos item): another event.
    let fields = list.find((f) => !Object.hasOwn(f, key));
    if (fields === undefined) {
      fields = { ...p.attributes };
      list.push(fields);
      order.push({ record, time: p.time_ms, fields });
    }
    fields[key] = p.value;
  });
  return order.map(({ record, time, fields }) => ({ record, json: envelope(meta, seconds(time), 'zoom:qss:metrics', { event: 'metric', fields }) }));
}

export function eventsToHecItems(events: readonly SinkEvent[], meta: HecEnvelopeMeta): HecItem[] {
  return events.map((e) => {
    let body: unknown;
    try {
      body = JSON.parse(e.body);
    } catch {
      // Not JSON: sent as a string event.
      return { record: e.record, json: envelope(meta, seconds(e.record.meta.receivedAt), `zoom:qss:${e.record.meta.event}`, { event: e.body }) };
    }
    const ts = typeof body === 'object' && body !== null ? (body as { event_ts?: unknown }).event_ts : undefined;
    const time = typeof ts === 'number' && Number.isFinite(ts) ? ts : e.record.meta.receivedAt;
    // The body's own JSON text goes in as `event` (it parsed, so it is valid): no re-serialisation.
    const head = envelope(meta, seconds(time), `zoom:qss:${e.record.meta.event}`, {});
    return { record: e.record, json: `${head.slice(0, -1)},"event":${e.body}}` };
  });
}
