// What the map stage hands a metric sink: one point per sample and metric, in the unit the sink
// sends, with only the attributes the sink keeps. Sinks encode these; they never see raw samples.

export interface MetricPoint {
  name: string;
  unit: string;
  value: number;
  /** The sample's own time (qos[].date_time, else event_ts), epoch ms: never the export time. */
  time_ms: number;
  /** Shared between points (frozen): build a new object to change it. */
  attributes: Readonly<Record<string, string>>;
  description?: string;
}
