// Schema, type and defaults of the keys every sink in sinks.yaml shares, whatever its type: what it
// receives (`data`), which metrics (`metrics`), which attributes (`attributes`), how many series
// (`cardinality`) and what happens to personal data (`pii`). Each sink type picks its own defaults
// (a Datadog sink keeps per-participant ids out by default, a file sink keeps everything).
// docs/routing.md explains them with examples.

export type SinkData = 'events' | 'metrics';
export type PiiMode = 'keep' | 'drop' | 'hash';

export interface CustomMetricConfig {
  name: string;
  /** Catalogue metric name (`zoom.qos.latency`) or Zoom detail field (`avg_latency`). */
  source: string;
  unit?: string;
  stat?: 'min' | 'avg' | 'max' | 'none';
  qos_types?: string[];
  /** Exactly these attributes (before the sink's allow/deny list); all when left out. */
  attributes?: string[];
  description?: string;
}

export interface SinkMappingConfig {
  data: SinkData;
  metrics: { catalogue: 'default' | 'none'; custom: CustomMetricConfig[] };
  attributes: { allow?: string[]; deny?: string[] };
  cardinality: { max_series_per_metric: number; idle_minutes: number };
  pii: { mode: PiiMode; hash_key?: string };
}

export interface SinkMappingDefaults {
  /** What this sink type can receive; the first is the default. */
  data: readonly [SinkData, ...SinkData[]];
  attributes: { allow?: readonly string[]; deny?: readonly string[] };
  max_series_per_metric: number;
  pii: PiiMode;
}

/** Metric names: OpenTelemetry instrument name rules (ASCII letter first; letters, digits, `_ . - /`; ≤ 255). */
export const METRIC_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_./-]{0,254}$';

const nameList = (description: string) => ({
  type: 'array',
  items: { type: 'string', minLength: 1 },
  uniqueItems: true,
  description,
});

const customMetricSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'source'],
  properties: {
    name: { type: 'string', pattern: METRIC_NAME_PATTERN, description: 'Metric name as the backend will show it.' },
    source: {
      type: 'string',
      minLength: 1,
      description: 'Where the values come from: a catalogue metric (`zoom.qos.latency`) or a Zoom detail field (`avg_latency`, `network_delay`, `zoom_max_cpu_usage`).',
    },
    unit: {
      type: 'string',
      minLength: 1,
      description: 'Unit to send in; values are converted from the source\'s base unit. `s`: `s`, `ms`, `us`; `bit/s`: `bit/s`, `kbit/s`, `Mbit/s`, `By/s`; ratio `1`: `1`, `%`. Default: the source\'s unit.',
    },
    stat: { enum: ['min', 'avg', 'max', 'none'], description: 'Only samples of this statistic (`none`: real-time values that have no statistic). Default: all.' },
    qos_types: { ...nameList('Only samples of these Zoom qos types (`audio_input`, `video_output`, …). Default: all.'), minItems: 1 },
    attributes: nameList('Exactly these attributes (the sink\'s `attributes` allow/deny list still applies on top). Default: all the sample has.'),
    description: { type: 'string', description: 'Metric description, sent where the backend takes one.' },
  },
} as const;

/** The shared keys' schema, with one sink type's defaults. Spread into that type's `properties`. */
export function sinkMappingProperties(defaults: SinkMappingDefaults) {
  return {
    data: {
      enum: [...defaults.data],
      default: defaults.data[0],
      description: '`events`: each routed Zoom event as an event (the body, after the `pii` policy). `metrics`: the samples of routed QoS events as metric points.',
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'With `data: metrics`: which metrics this sink gets.',
      properties: {
        catalogue: { enum: ['default', 'none'], default: 'default', description: '`default`: every metric of the default catalogue (docs/normalization.md). `none`: only the `custom` ones.' },
        custom: { type: 'array', default: [], items: customMetricSchema, description: 'Your own metrics, derived from the samples (one point per matching sample).' },
      },
    },
    attributes: {
      type: 'object',
      additionalProperties: false,
      default: { ...defaults.attributes },
      description: 'Which sample attributes reach this sink: `allow` (only these) or `deny` (all but these). Names or globs (`zoom.participant.*`). Per-participant ids are what makes series explode.',
      properties: {
        allow: nameList('Only these attributes are kept.'),
        deny: nameList('These attributes are removed.'),
      },
    },
    cardinality: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'A cap on distinct series (metric + attribute values) per metric; points of new series beyond it are dropped and counted (`qss_forwarder_sink_points_dropped_total{reason="cardinality_cap"}`).',
      properties: {
        max_series_per_metric: { type: 'integer', minimum: 0, maximum: 100000000, default: defaults.max_series_per_metric, description: 'Most series per metric at once; 0 = no cap.' },
        idle_minutes: { type: 'integer', minimum: 1, maximum: 10080, default: 60, description: 'A series with no point for this long no longer counts against the cap.' },
      },
    },
    pii: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Personal data in events (emails, names, IP addresses, device names…; docs/pii.md). Metric samples never carry any.',
      properties: {
        mode: { enum: ['keep', 'drop', 'hash'], default: defaults.pii, description: '`keep` (the body as Zoom sent it), `drop` (fields removed) or `hash` (keyed HMAC-SHA256: same person, same hash).' },
        hash_key: { type: 'string', minLength: 16, writeOnly: true, description: 'Key for `mode: hash` (at least 16 characters; use `${VAR}`).' },
      },
      if: { required: ['mode'], properties: { mode: { const: 'hash' } } },
      then: { required: ['hash_key'], properties: { hash_key: { type: 'string' } } },
    },
  } as const;
}

/** Sinks that write locally (file, stdout, blackhole): events by default, everything kept, no cap. */
export const LOCAL_SINK_DEFAULTS: SinkMappingDefaults = { data: ['events', 'metrics'], attributes: {}, max_series_per_metric: 0, pii: 'keep' };
