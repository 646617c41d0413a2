// The worker's decode + normalize stages: a decoded Zoom QSS body → typed QoS samples in base units
// (`qos`), participant dimensions for the enrich stage (`dimensions`), or why not. Pure: no config,
// no I/O. Lenient (DESIGN.md "decode"): unknown fields and qos types are accepted; only a body
// without the identity of what it measures (account, instance, participant) or without its
// qos/data list is `invalid` (→ dead-letter). Events that are not QSS are `unsupported`.
import { attributeValueCap, capAttributeValue, type AttributeValueCap } from './cap-attribute-value.ts';
import { jsonId, jsonRecord } from './json-fields.ts';
import { normalizePhoneCallQos } from './normalize-phone-call-qos.ts';
import { participantDimensions } from './participant-dimensions.ts';
import { parseEventTs } from './parse-zoom-time.ts';
import { appendQosItemSamples } from './append-qos-item-samples.ts';
import { QOS_ATTRIBUTES } from './qos-sample.ts';
import type { QosSample, SkippedField } from './qos-sample.ts';
import type { DimensionLookup, Enrichment, NormalizedQssEvent } from './normalized-qss-event.ts';

export type { CutValues, DimensionLookup, Enrichment, InvalidReason, NormalizedQssEvent } from './normalized-qss-event.ts';

type Family = 'meeting' | 'webinar' | 'session' | 'phone';

interface EventSpec {
  family: Family;
  output: 'qos' | 'dimensions';
}

/** The 14 QSS event types (Zoom README §1). */
export const QSS_EVENTS: Readonly<Record<string, EventSpec>> = {
  'meeting.participant_qos': { family: 'meeting', output: 'qos' },
  'meeting.participant_qos_summary': { family: 'meeting', output: 'qos' },
  'meeting.participant_data': { family: 'meeting', output: 'dimensions' },
  'meeting.participant_data_summary': { family: 'meeting', output: 'dimensions' },
  'webinar.participant_qos': { family: 'webinar', output: 'qos' },
  'webinar.participant_qos_summary': { family: 'webinar', output: 'qos' },
  'webinar.participant_data': { family: 'webinar', output: 'dimensions' },
  'webinar.participant_data_summary': { family: 'webinar', output: 'dimensions' },
  'session.user_qos': { family: 'session', output: 'qos' },
  'session.user_qos_summary': { family: 'session', output: 'qos' },
  'session.user_data': { family: 'session', output: 'dimensions' },
  'session.user_data_summary': { family: 'session', output: 'dimensions' },
  'phone.call_qos': { family: 'phone', output: 'qos' },
  'phone.call_qos_summary': { family: 'phone', output: 'qos' },
};

const INSTANCE: Record<Exclude<Family, 'phone'>, { field: string; attribute: string; numberAttribute?: string }> = {
  meeting: { field: 'uuid', attribute: QOS_ATTRIBUTES.meetingUuid, numberAttribute: QOS_ATTRIBUTES.meetingId },
  webinar: { field: 'uuid', attribute: QOS_ATTRIBUTES.webinarUuid, numberAttribute: QOS_ATTRIBUTES.webinarId },
  session: { field: 'session_id', attribute: QOS_ATTRIBUTES.sessionId },
};

/** Meetings/webinars: `participant.participant_id` (data, summaries) or `.user_id` (real-time qos); sessions: `user.id`. */
function participantOf(family: Family, object: Record<string, unknown>): { who?: Record<string, unknown>; id?: string } {
  const who = jsonRecord(family === 'session' ? object.user : object.participant);
  if (who === undefined) return {};
  return { who, id: family === 'session' ? jsonId(who.id) : (jsonId(who.participant_id) ?? jsonId(who.user_id)) };
}

/** The result with the event's cut counts, when something was cut. */
function withCut<T extends NormalizedQssEvent>(result: T, cap: AttributeValueCap): T {
  if (cap.cut !== undefined && (result.kind === 'qos' || result.kind === 'dimensions')) result.cut = cap.cut;
  return result;
}

/**
 * `lookup` is the enrich stage (docs/enrichment.md), joined here, where the participant is known:
 * its dimensions go into the event's base attributes once, so every sample carries them without
 * an object per sample or per attribute set. Dimensions never replace an attribute of the event
 * (an item's own, like phone's network type, is set after them and wins).
 * Every value read from the body into an attribute or a cache key is cut to `maxValueChars`
 * (`worker.max_attribute_value_chars`; left out: nothing is cut) and counted in `cut`.
 */
export function normalizeQssEvent(body: unknown, receivedAtMs: number, lookup?: DimensionLookup, maxValueChars = Number.POSITIVE_INFINITY): NormalizedQssEvent {
  const root = jsonRecord(body);
  if (root === undefined) return { kind: 'invalid', reason: 'not_an_object' };
  const event = root.event;
  if (typeof event !== 'string' || event === '') return { kind: 'invalid', reason: 'missing_event' };
  const spec = Object.hasOwn(QSS_EVENTS, event) ? QSS_EVENTS[event] : undefined;
  if (spec === undefined) return { kind: 'unsupported', event };

  const payload = jsonRecord(root.payload);
  const object = jsonRecord(payload?.object);
  if (object === undefined) return { kind: 'invalid', event, reason: 'missing_object' };
  const rawAccountId = jsonId(payload?.account_id);
  if (rawAccountId === undefined) return { kind: 'invalid', event, reason: 'missing_account_id' };
  const cap = attributeValueCap(maxValueChars);
  const accountId = capAttributeValue(cap, QOS_ATTRIBUTES.accountId, rawAccountId);
  const fallbackTimeMs = parseEventTs(root.event_ts) ?? receivedAtMs;
  // The samples' shared attributes, built by assignment and frozen: append-qos-item-samples says why.
  const attributes: Record<string, string> = { [QOS_ATTRIBUTES.event]: event, [QOS_ATTRIBUTES.accountId]: accountId };
  if (spec.family === 'phone') {
    // Zoom Phone has no data events: nothing to join.
    const result = normalizePhoneCallQos(object, { event, attributes: Object.freeze(attributes), fallbackTimeMs, cap });
    return withCut(result.kind === 'qos' && lookup !== undefined ? { ...result, enrichment: 'unkeyed' } : result, cap);
  }

  const instanceSpec = INSTANCE[spec.family];
  const rawInstance = jsonId(object[instanceSpec.field]);
  if (rawInstance === undefined) return { kind: 'invalid', event, reason: 'missing_instance_id' };
  const { who, id: rawParticipant } = participantOf(spec.family, object);
  if (who === undefined) return { kind: 'invalid', event, reason: 'missing_participant' };
  if (rawParticipant === undefined) return { kind: 'invalid', event, reason: 'missing_participant_id' };
  // The samples' attributes and the enrichment key alike: a data and a QoS event still join.
  const instance = capAttributeValue(cap, instanceSpec.attribute, rawInstance);
  const participant = capAttributeValue(cap, QOS_ATTRIBUTES.participantId, rawParticipant);

  if (spec.output === 'dimensions') {
    if (!Array.isArray(who.data)) return { kind: 'invalid', event, reason: 'missing_data' };
    const key = { account_id: accountId, instance, participant };
    const records = who.data
      .map((item) => participantDimensions(item, cap))
      .filter((d): d is Record<string, string> => d !== undefined && Object.keys(d).length > 0)
      .map((dimensions) => ({ key, time_ms: fallbackTimeMs, dimensions }));
    return withCut({ kind: 'dimensions', event, records }, cap);
  }

  if (!Array.isArray(who.qos)) return { kind: 'invalid', event, reason: 'missing_qos' };
  const number = instanceSpec.numberAttribute === undefined ? undefined : jsonId(object.id);
  attributes[instanceSpec.attribute] = instance;
  if (number !== undefined && instanceSpec.numberAttribute !== undefined) attributes[instanceSpec.numberAttribute] = capAttributeValue(cap, instanceSpec.numberAttribute, number);
  attributes[QOS_ATTRIBUTES.participantId] = participant;
  let enrichment: Enrichment | undefined;
  if (lookup !== undefined) {
    const dimensions = lookup({ account_id: accountId, instance, participant });
    enrichment = dimensions === undefined ? 'not_found' : 'enriched';
    if (dimensions !== undefined) for (const name in dimensions) if (!Object.hasOwn(attributes, name)) attributes[name] = dimensions[name] as string;
  }
  Object.freeze(attributes);
  const items: unknown[] = who.qos;
  const samples: QosSample[] = [];
  const skipped: SkippedField[] = [];
  const out = { samples, skipped };
  const ctx = { attributes, fallbackTimeMs, cap };
  for (let i = 0; i < items.length; i++) {
    if (!appendQosItemSamples(items[i], ctx, out)) skipped.push({ field: `qos[${i}]`, reason: 'malformed_item' });
  }
  return withCut(enrichment === undefined ? { kind: 'qos', event, samples, skipped } : { kind: 'qos', event, samples, skipped, enrichment }, cap);
}
