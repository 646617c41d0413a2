// One `qos[]` item `{date_time?, type, details}` → samples per the metric catalogue. Pure.
// Every detail field is looked up in the catalogue whatever the item's `type` (known or not):
// known fields become samples, unknown fields are reported as `unmapped_field`, and values that
// are empty or do not parse are reported by reason — never turned into 0.
import { ITEM_ATTRIBUTE_DETAILS, METRIC_CATALOGUE, NON_METRIC_DETAIL_FIELDS } from './metric-catalogue.ts';
import type { QosMetricName, QosMetricSource, QosUnit } from './metric-catalogue.ts';
import { parseQosValue } from './parse-qos-value.ts';
import { parseZoomTime } from './parse-zoom-time.ts';
import { QOS_ATTRIBUTES } from './qos-sample.ts';
import type { QosSample, SkippedField } from './qos-sample.ts';
import { jsonRecord } from './json-fields.ts';

interface FieldTarget {
  metric: QosMetricName;
  unit: QosUnit;
  source: QosMetricSource;
}

function indexByField(): ReadonlyMap<string, readonly FieldTarget[]> {
  const index = new Map<string, FieldTarget[]>();
  for (const m of Object.values(METRIC_CATALOGUE)) {
    for (const source of m.sources as readonly QosMetricSource[]) {
      const targets = index.get(source.field) ?? [];
      targets.push({ metric: m.name, unit: m.unit, source });
      index.set(source.field, targets);
    }
  }
  return index;
}

let fieldIndex: ReadonlyMap<string, readonly FieldTarget[]> | undefined;

export interface QosItemContext {
  /** Attributes shared by every sample of the event (event, account, instance, participant…). */
  attributes: Readonly<Record<string, string>>;
  /** Time for items without a usable `date_time`: event_ts, else received-at. */
  fallbackTimeMs: number;
  /** Path of the item for skip reports, e.g. `qos[3]`. */
  path: string;
}

export interface QosItemResult {
  samples: QosSample[];
  skipped: SkippedField[];
}

const ITEM_ATTRIBUTE_ENTRIES = Object.entries(ITEM_ATTRIBUTE_DETAILS);
const NON_METRIC_FIELDS: ReadonlySet<string> = new Set(NON_METRIC_DETAIL_FIELDS);

function itemAttributes(type: string, details: Record<string, unknown>, base: Readonly<Record<string, string>>): Record<string, string> {
  const attributes: Record<string, string> = { ...base, [QOS_ATTRIBUTES.qosType]: type };
  for (const [field, name] of ITEM_ATTRIBUTE_ENTRIES) {
    const v = details[field];
    if (typeof v === 'string' && v.trim() !== '') attributes[name] = v;
  }
  return attributes;
}

function copied(source: QosMetricSource, details: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, field] of Object.entries(source.copyDetails ?? {})) {
    const v = details[field];
    if (typeof v === 'string' && v.trim() !== '') out[name] = v;
  }
  return out;
}

function attributesFor(
  shared: Map<string, Readonly<Record<string, string>>>,
  attributes: Readonly<Record<string, string>>,
  details: Record<string, unknown>,
  stat: string | undefined,
  source: QosMetricSource,
): Readonly<Record<string, string>> {
  const plain = source.attributes === undefined && source.copyDetails === undefined;
  const key = stat ?? '';
  const hit = plain ? shared.get(key) : undefined;
  if (hit !== undefined) return hit;
  const built = Object.freeze({
    ...attributes,
    ...(stat === undefined ? {} : { [QOS_ATTRIBUTES.qosStat]: stat }),
    ...source.attributes,
    ...copied(source, details),
  });
  if (plain) shared.set(key, built);
  return built;
}

export function qosItemSamples(item: unknown, ctx: QosItemContext): QosItemResult {
  const record = jsonRecord(item);
  const type = record?.type;
  const details = jsonRecord(record?.details);
  if (typeof type !== 'string' || type === '' || details === undefined) {
    return { samples: [], skipped: [{ field: ctx.path, reason: 'malformed_item' }] };
  }
  fieldIndex ??= indexByField();
  const time_ms = parseZoomTime(record?.date_time) ?? ctx.fallbackTimeMs;
  const attributes = itemAttributes(type, details, ctx.attributes);
  const samples: QosSample[] = [];
  const skipped: SkippedField[] = [];
  // Samples of one item whose attributes come out the same share one frozen object (most differ
  // only by stat): building a fresh object per sample was the largest cost of normalizing.
  const shared = new Map<string, Readonly<Record<string, string>>>();
  for (const [field, raw] of Object.entries(details)) {
    const targets = fieldIndex.get(field);
    const first = targets?.[0];
    if (targets === undefined || first === undefined) {
      if (!NON_METRIC_FIELDS.has(field)) skipped.push({ field, reason: 'unmapped_field', qos_type: type });
      continue;
    }
    const parsed = parseQosValue(raw, first.source.kind);
    if (!parsed.ok) {
      skipped.push({ field, reason: parsed.reason, qos_type: type });
      continue;
    }
    for (const { metric, unit, source } of targets) {
      const v = parsed.value;
      const value = typeof v === 'number' ? v : source.part === 'height' ? v.height : v.width;
      const stat = source.stat;
      const attrs = attributesFor(shared, attributes, details, stat, source);
      // Two plain literals (same key order as before) instead of a conditional spread per sample.
      samples.push(stat === undefined ? { metric, unit, value, time_ms, attributes: attrs } : { metric, unit, value, stat, time_ms, attributes: attrs });
    }
  }
  return { samples, skipped };
}
