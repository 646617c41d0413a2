// What normalize produces: typed QoS samples in base units, plus the attribute names they carry
// (DESIGN.md "Attributes"). Sinks and the enrich stage read attribute names from QOS_ATTRIBUTES.
import type { QosValueFailure } from './parse-qos-value.ts';
import type { QosMetricName, QosStat, QosUnit } from './metric-catalogue.ts';

export const QOS_ATTRIBUTES = {
  event: 'zoom.event',
  accountId: 'zoom.account.id',
  qosType: 'zoom.qos.type',
  qosStat: 'zoom.qos.stat',
  qosQuality: 'zoom.qos.quality',
  meetingUuid: 'zoom.meeting.uuid',
  meetingId: 'zoom.meeting.id',
  webinarUuid: 'zoom.webinar.uuid',
  webinarId: 'zoom.webinar.id',
  sessionId: 'zoom.session.id',
  callId: 'zoom.call.id',
  callLeg: 'zoom.call.leg',
  participantId: 'zoom.participant.id',
  cpuScope: 'zoom.cpu.scope',
} as const;

/** The attribute that holds the instance id, in the order the enrich stage should look for it. */
export const INSTANCE_ATTRIBUTES = [QOS_ATTRIBUTES.meetingUuid, QOS_ATTRIBUTES.webinarUuid, QOS_ATTRIBUTES.sessionId, QOS_ATTRIBUTES.callId] as const;

export interface QosSample {
  metric: QosMetricName;
  unit: QosUnit;
  value: number;
  stat?: QosStat;
  /** The sample's own time (qos[].date_time, else event_ts, else received-at), epoch ms. */
  time_ms: number;
  attributes: Record<string, string>;
}

export type SkipReason = QosValueFailure | 'unmapped_field' | 'malformed_item';

export interface SkippedField {
  /** Detail key (`bitrate`), or the item's path (`qos[2]`, `call_qos[1]`) for a malformed item. */
  field: string;
  reason: SkipReason;
  qos_type?: string;
}
