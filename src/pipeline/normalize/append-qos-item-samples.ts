// One `qos[]` item `{date_time?, type, details}` → samples per the metric catalogue, appended to
// the event's lists (pure apart from that). Every detail field is looked up in the catalogue whatever the item's `type` (known or not):
// known fields become samples, unknown fields are reported as `unmapped_field`, and values that
// are empty or do not parse are reported by reason — never turned into 0.
import { ITEM_ATTRIBUTE_DETAILS, METRIC_CATALOGUE, NON_METRIC_DETAIL_FIELDS } from './metric-catalogue.ts';
import type { QosMetricName, QosMetricSource, QosStat, QosUnit } from './metric-catalogue.ts';
import { parseQosValue } from './parse-qos-value.ts';
import type { QosValueKind } from './parse-qos-value.ts';
import { parseZoomTime } from './parse-zoom-time.ts';
import { QOS_ATTRIBUTES } from './qos-sample.ts';
import type { QosSample, SkippedField } from './qos-sample.ts';
import { capAttributeValue, type AttributeValueCap } from './cap-attribute-value.ts';
import { jsonRecord } from './json-fields.ts';

type Attributes = Readonly<Record<string, string>>;

/** Which of an item's shared attribute objects a sample takes: one per stat, plus none. */
const SHARED_SLOT = { none: 0, min: 1, avg: 2, max: 3 } as const;
const OWN_ATTRIBUTES = -1;

interface FieldTarget {
  readonly metric: QosMetricName;
  readonly unit: QosUnit;
  readonly stat: QosStat | undefined;
  readonly part: 'width' | 'height' | undefined;
  /** SHARED_SLOT of the item's attributes, or OWN_ATTRIBUTES when the source adds fixed or copied ones. */
  readonly slot: number;
  readonly fixed: readonly (readonly [string, string])[];
  /** Attribute name → sibling detail field, from `copyDetails`. */
  readonly copy: readonly (readonly [string, string])[];
}

interface FieldSpec {
  readonly kind: QosValueKind;
  readonly targets: readonly FieldTarget[];
}

/** Detail field → how it is read; null for the known fields that are deliberately not metrics. */
function indexByField(): ReadonlyMap<string, FieldSpec | null> {
  const index = new Map<string, { kind: QosValueKind; targets: FieldTarget[] } | null>();
  for (const m of Object.values(METRIC_CATALOGUE)) {
    for (const source of m.sources as readonly QosMetricSource[]) {
      const spec = index.get(source.field) ?? { kind: source.kind, targets: [] };
      const plain = source.attributes === undefined && source.copyDetails === undefined;
      spec.targets.push({
        metric: m.name,
        unit: m.unit,
        stat: source.stat,
        part: source.part,
        slot: plain ? SHARED_SLOT[source.stat ?? 'none'] : OWN_ATTRIBUTES,
        fixed: Object.entries(source.attributes ?? {}),
        copy: Object.entries(source.copyDetails ?? {}),
      });
      index.set(source.field, spec);
    }
  }
  for (const field of NON_METRIC_DETAIL_FIELDS) index.set(field, null);
  return index;
}

const FIELDS = indexByField();
const ITEM_ATTRIBUTE_ENTRIES = Object.entries(ITEM_ATTRIBUTE_DETAILS);

export interface QosItemContext {
  /** Attributes shared by every sample of the event (event, account, instance, participant…), frozen. */
  attributes: Attributes;
  /** Time for items without a usable `date_time`: event_ts, else received-at. */
  fallbackTimeMs: number;
  /** The event's length cap on values read from the body (the qos type, detail attributes). */
  cap: AttributeValueCap;
}

/** The event's lists, which every item appends to. */
export interface QosSampleLists {
  samples: QosSample[];
  skipped: SkippedField[];
}

// Attribute objects are built by copying a frozen object with a spread and then adding keys one
// by one. On Node 20 (V8 11.3) a spread followed by more keys in one literal (`{ ...a, k: v }`),
// or a spread of an unfrozen object that is then extended, takes a slow path: ~1 µs per object
// against ~0.1 µs, and this is the most frequent allocation of normalize after the samples.

/** The item's attributes: the event's plus type and network, frozen (samples without a stat share it). */
function itemAttributes(type: string, details: Record<string, unknown>, base: Attributes, cap: AttributeValueCap): Attributes {
  const attributes: Record<string, string> = { ...base };
  attributes[QOS_ATTRIBUTES.qosType] = type;
  for (const [field, name] of ITEM_ATTRIBUTE_ENTRIES) {
    const v = details[field];
    if (typeof v === 'string' && v.trim() !== '') attributes[name] = capAttributeValue(cap, name, v);
  }
  return Object.freeze(attributes);
}

/** The item's attributes plus the stat, fixed and copied ones: same key order as one spread of each. */
function ownAttributes(item: Attributes, target: FieldTarget, details: Record<string, unknown>, cap: AttributeValueCap): Attributes {
  const out: Record<string, string> = { ...item };
  if (target.stat !== undefined) out[QOS_ATTRIBUTES.qosStat] = target.stat;
  for (const [name, value] of target.fixed) out[name] = value;
  for (const [name, field] of target.copy) {
    const v = details[field];
    if (typeof v === 'string' && v.trim() !== '') out[name] = capAttributeValue(cap, name, v);
  }
  return Object.freeze(out);
}

function sharedAttributes(item: Attributes, stat: QosStat | undefined): Attributes {
  if (stat === undefined) return item;
  const out: Record<string, string> = { ...item };
  out[QOS_ATTRIBUTES.qosStat] = stat;
  return Object.freeze(out);
}

/**
 * Appends the samples and skipped fields of one item to the event's lists (lists per item, copied
 * over by the caller, were a noticeable cost). False, appending nothing, when the item is
 * malformed: the caller reports it under the item's path.
 */
export function appendQosItemSamples(item: unknown, ctx: QosItemContext, out: QosSampleLists): boolean {
  const record = jsonRecord(item);
  const rawType = record?.type;
  const details = jsonRecord(record?.details);
  if (typeof rawType !== 'string' || rawType === '' || details === undefined) return false;
  const { cap } = ctx;
  const type = capAttributeValue(cap, QOS_ATTRIBUTES.qosType, rawType);
  const time_ms = parseZoomTime(record?.date_time) ?? ctx.fallbackTimeMs;
  const attributes = itemAttributes(type, details, ctx.attributes, cap);
  const { samples, skipped } = out;
  // Samples of one item whose attributes come out the same share one frozen object, built on first
  // use (most differ only by stat): building a fresh object per sample was the largest cost.
  const shared: (Attributes | undefined)[] = [undefined, undefined, undefined, undefined];
  const fields = Object.keys(details);
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    const spec = FIELDS.get(field);
    if (spec === null) continue;
    if (spec === undefined) {
      skipped.push({ field, reason: 'unmapped_field', qos_type: type });
      continue;
    }
    const parsed = parseQosValue(details[field], spec.kind);
    if (!parsed.ok) {
      skipped.push({ field, reason: parsed.reason, qos_type: type });
      continue;
    }
    const v = parsed.value;
    for (let t = 0; t < spec.targets.length; t++) {
      const target = spec.targets[t]!;
      const { metric, unit, stat, slot } = target;
      const value = typeof v === 'number' ? v : target.part === 'height' ? v.height : v.width;
      const attrs = slot === OWN_ATTRIBUTES ? ownAttributes(attributes, target, details, cap) : (shared[slot] ??= sharedAttributes(attributes, stat));
      // Two plain literals (same key order as before) instead of a conditional spread per sample.
      samples.push(stat === undefined ? { metric, unit, value, time_ms, attributes: attrs } : { metric, unit, value, stat, time_ms, attributes: attrs });
    }
  }
  return true;
}
