// The default metric catalogue (DESIGN.md "Default metric catalogue") as data. Every sink emits these
// names and units, so dashboards and sink converters read them from here, never from string literals.
// `sources` says which Zoom `qos[].details` fields feed a metric, how the value is parsed and which
// statistic the field carries. The mapping does not depend on the qos `type`: Zoom puts detail
// fields under unexpected types (Zoom README §2.2), so any known field under any type is read.
import type { QosValueKind } from './parse-qos-value.ts';

export type QosUnit = 'bit/s' | 's' | '1' | '{frame}/s' | '{pixel}' | 'dBm';
export type QosStat = 'min' | 'avg' | 'max';

export interface QosMetricSource {
  /** Key in `qos[].details` (meeting, webinar, Video SDK and phone share one namespace). */
  readonly field: string;
  readonly kind: QosValueKind;
  readonly stat?: QosStat;
  /** For `resolution`: which half of `"W*H"` this metric takes. */
  readonly part?: 'width' | 'height';
  /** Fixed attributes added to samples from this field. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Attribute name → sibling detail field whose text is copied onto the sample when present. */
  readonly copyDetails?: Readonly<Record<string, string>>;
}

export interface QosMetricDefinition {
  readonly name: string;
  readonly unit: QosUnit;
  readonly description: string;
  readonly sources: readonly QosMetricSource[];
}

const minAvgMax = (prefix: string, suffix: string, kind: QosValueKind): QosMetricSource[] =>
  (['min', 'avg', 'max'] as const).map((stat) => ({ field: `${prefix}${stat}${suffix}`, kind, stat }));

export const METRIC_CATALOGUE = {
  bitrate: {
    name: 'zoom.qos.bitrate',
    unit: 'bit/s',
    description: 'Media bitrate on the network. Zoom sends kbps; phone sends bare kbps numbers.',
    sources: [{ field: 'bitrate', kind: 'bitrate' }, ...minAvgMax('', '_bitrate', 'bitrate')],
  },
  latency: {
    name: 'zoom.qos.latency',
    unit: 's',
    description: 'One-way packet travel time. Phone calls it network_delay (bare ms).',
    sources: [{ field: 'latency', kind: 'duration' }, ...minAvgMax('', '_latency', 'duration'), { field: 'network_delay', kind: 'duration' }],
  },
  jitter: {
    name: 'zoom.qos.jitter',
    unit: 's',
    description: 'Variation in packet delay.',
    sources: [{ field: 'jitter', kind: 'duration' }, ...minAvgMax('', '_jitter', 'duration')],
  },
  packetLoss: {
    name: 'zoom.qos.packet_loss',
    unit: '1',
    description: 'Packet loss as a ratio (0.005 = 0.5 %).',
    sources: minAvgMax('', '_loss', 'percent'),
  },
  frameRate: {
    name: 'zoom.qos.frame_rate',
    unit: '{frame}/s',
    description: 'Video or screen-share frame rate.',
    sources: [{ field: 'frame_rate', kind: 'frame_rate' }, ...minAvgMax('', '_frame_rate', 'frame_rate')],
  },
  resolutionWidth: {
    name: 'zoom.qos.resolution.width',
    unit: '{pixel}',
    description: 'Video or screen-share width, from "W*H".',
    sources: [{ field: 'resolution', kind: 'resolution', part: 'width' }],
  },
  resolutionHeight: {
    name: 'zoom.qos.resolution.height',
    unit: '{pixel}',
    description: 'Video or screen-share height, from "W*H".',
    sources: [{ field: 'resolution', kind: 'resolution', part: 'height' }],
  },
  cpuUtilization: {
    name: 'zoom.qos.cpu.utilization',
    unit: '1',
    description: 'CPU use as a ratio; zoom.cpu.scope says whether of the Zoom client or the whole system.',
    sources: [
      ...minAvgMax('zoom_', '_cpu_usage', 'percent').map((s) => ({ ...s, attributes: { 'zoom.cpu.scope': 'client' } })),
      { field: 'system_max_cpu_usage', kind: 'percent', stat: 'max', attributes: { 'zoom.cpu.scope': 'system' } },
    ],
  },
  wifiRssi: {
    name: 'zoom.qos.wifi.rssi',
    unit: 'dBm',
    description: 'Wi-Fi signal strength (string in real-time events, integer in summaries).',
    sources: minAvgMax('', '_rssi', 'rssi'),
  },
  qualityScore: {
    name: 'zoom.qos.quality_score',
    unit: '1',
    description: "Zoom's quality score for the *_quality types; the level (good, fair, …) is zoom.qos.quality.",
    sources: [{ field: 'quality_score', kind: 'number', copyDetails: { 'zoom.qos.quality': 'quality' } }],
  },
  mos: {
    name: 'zoom.qos.mos',
    unit: '1',
    description: 'Zoom Phone Mean Opinion Score (1–5).',
    sources: [{ field: 'mos', kind: 'number' }],
  },
} as const satisfies Record<string, QosMetricDefinition>;

export type QosMetricKey = keyof typeof METRIC_CATALOGUE;
export type QosMetricName = (typeof METRIC_CATALOGUE)[QosMetricKey]['name'];

/** Every metric name in catalogue order. */
export const QOS_METRIC_NAMES: readonly QosMetricName[] = Object.values(METRIC_CATALOGUE).map((m) => m.name);

/**
 * Detail fields that are known and deliberately not metrics: read as attributes (see
 * ITEM_ATTRIBUTE_DETAILS and `copyDetails`) or not used yet. Any other unknown field is reported
 * as skipped `unmapped_field`.
 */
export const NON_METRIC_DETAIL_FIELDS: readonly string[] = [
  'quality',
  'rssi_unit',
  'network',
  'network_notification',
  'system_min_cpu_pressure_level',
  'system_avg_cpu_pressure_level',
  'system_max_cpu_pressure_level',
];

/** Detail field → attribute set on every sample of the same qos item (phone `network`: LAN, WiFi…). */
export const ITEM_ATTRIBUTE_DETAILS: Readonly<Record<string, string>> = {
  network: 'zoom.participant.network_type',
};
