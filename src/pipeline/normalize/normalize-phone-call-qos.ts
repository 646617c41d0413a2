// Zoom Phone QoS (Zoom README §2.6). `phone.call_qos` nests ONE leg object with ONE qos object
// (`call_qos: {type, id, qos: {…}}`); `phone.call_qos_summary` nests an ARRAY of legs, each with a
// qos ARRAY (`call_qos: [{type, user_id, qos: [{…}]}]`). Both nestings are accepted in both events.
// Values are bare numbers in Zoom's documented units (kbps, ms, percent). Pure.
import { capAttributeValue, type AttributeValueCap } from './cap-attribute-value.ts';
import { jsonId, jsonList, jsonRecord } from './json-fields.ts';
import { appendQosItemSamples } from './append-qos-item-samples.ts';
import { QOS_ATTRIBUTES } from './qos-sample.ts';
import type { QosSample, SkippedField } from './qos-sample.ts';
import type { NormalizedQssEvent } from './normalized-qss-event.ts';

export interface PhoneContext {
  event: string;
  attributes: Readonly<Record<string, string>>;
  fallbackTimeMs: number;
  cap: AttributeValueCap;
}

const at = (path: string, many: boolean, i: number): string => (many ? `${path}[${i}]` : path);

export function normalizePhoneCallQos(object: Record<string, unknown>, ctx: PhoneContext): NormalizedQssEvent {
  const rawCallId = jsonId(object.call_id);
  if (rawCallId === undefined) return { kind: 'invalid', event: ctx.event, reason: 'missing_instance_id' };
  const { cap } = ctx;
  const callId = capAttributeValue(cap, QOS_ATTRIBUTES.callId, rawCallId);
  const legs = jsonList(object.call_qos);
  if (legs === undefined) return { kind: 'invalid', event: ctx.event, reason: 'missing_qos' };
  const manyLegs = Array.isArray(object.call_qos);
  const samples: QosSample[] = [];
  const skipped: SkippedField[] = [];
  const out = { samples, skipped };
  legs.forEach((leg, i) => {
    const legPath = at('call_qos', manyLegs, i);
    const record = jsonRecord(leg);
    const participant = jsonId(record?.id) ?? jsonId(record?.user_id);
    const items = jsonList(record?.qos);
    if (record === undefined || participant === undefined || items === undefined) {
      skipped.push({ field: legPath, reason: 'malformed_item' });
      return;
    }
    const legType = record.type;
    // Copied from the frozen event attributes, then extended and frozen (append-qos-item-samples says why).
    const attributes: Record<string, string> = { ...ctx.attributes };
    attributes[QOS_ATTRIBUTES.callId] = callId;
    attributes[QOS_ATTRIBUTES.participantId] = capAttributeValue(cap, QOS_ATTRIBUTES.participantId, participant);
    if (typeof legType === 'string' && legType !== '') attributes[QOS_ATTRIBUTES.callLeg] = capAttributeValue(cap, QOS_ATTRIBUTES.callLeg, legType);
    Object.freeze(attributes);
    const manyItems = Array.isArray(record.qos);
    const itemCtx = { attributes, fallbackTimeMs: ctx.fallbackTimeMs, cap };
    items.forEach((item, j) => {
      if (!appendQosItemSamples(item, itemCtx, out)) skipped.push({ field: `${legPath}.${at('qos', manyItems, j)}`, reason: 'malformed_item' });
    });
  });
  return { kind: 'qos', event: ctx.event, samples, skipped };
}
