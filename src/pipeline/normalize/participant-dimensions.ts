// `*_data` events' `data[]` items → the participant dimensions the enrich stage joins onto QoS
// samples. Only non-PII fields are read: no email, names, IP addresses or ports, MAC address, PC
// name, hard-disk id, Windows domain, and no microphone/speaker/camera names (device names often
// contain the owner's name, e.g. "Jill's AirPods"). Pure.
import { capAttributeValue, type AttributeValueCap } from './cap-attribute-value.ts';
import { jsonRecord } from './json-fields.ts';

export interface ParticipantKey {
  account_id: string;
  /** meeting/webinar uuid or Video SDK session id: the same value as the samples' instance attribute. */
  instance: string;
  /** per-instance participant id: the samples' `zoom.participant.id`. */
  participant: string;
}

export interface ParticipantDimensions {
  key: ParticipantKey;
  time_ms: number;
  dimensions: Record<string, string>;
}

/** Zoom data field → dimension attribute name. First match wins (`Location` is deprecated). */
export const DIMENSION_FIELDS: readonly (readonly [string, string])[] = [
  ['device', 'zoom.participant.device'],
  ['device_detail', 'zoom.participant.device_detail'],
  ['network_type', 'zoom.participant.network_type'],
  ['location', 'zoom.participant.location'],
  ['Location', 'zoom.participant.location'],
  ['data_center', 'zoom.data_center'],
  ['connection_type', 'zoom.participant.connection_type'],
  ['version', 'zoom.client.version'],
  ['client', 'zoom.client.name'],
];

/**
 * Dimensions of one data item; values are kept raw (`"WIN"` stays `"WIN"`) apart from the length
 * cap (cut values are counted in `cap`); empty strings are left out.
 */
export function participantDimensions(item: unknown, cap: AttributeValueCap): Record<string, string> | undefined {
  const data = jsonRecord(item);
  if (data === undefined) return undefined;
  const dimensions: Record<string, string> = {};
  for (const [field, name] of DIMENSION_FIELDS) {
    const v = data[field];
    if (dimensions[name] === undefined && typeof v === 'string' && v.trim() !== '') dimensions[name] = capAttributeValue(cap, name, v);
  }
  return dimensions;
}
