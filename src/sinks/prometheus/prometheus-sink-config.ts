// Schema, type and defaults of a `type: prometheus` sink: a scrape endpoint with the last value of
// every series, named as the OpenTelemetry Collector's Prometheus exporter names them.
import { sinkMappingProperties, type SinkMappingConfig } from '../../pipeline/sink-contract.ts';

export interface PrometheusSinkConfig extends SinkMappingConfig {
  type: 'prometheus';
  host: string;
  port: number;
  path: string;
  series_idle_minutes: number;
  send_timestamps: boolean;
}

export const prometheusSinkConfigSchema = {
  type: 'object',
  description: 'A Prometheus scrape endpoint (for Prometheus, Grafana Agent, an NMS that scrapes): every metric of the catalogue as a gauge holding the last value of each series, named like the OpenTelemetry Collector\'s Prometheus exporter names them (`zoom.qos.latency` → `zoom_qos_latency_seconds`). Needs `data: metrics`.',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { const: 'prometheus' },
    host: { type: 'string', minLength: 1, default: '0.0.0.0', description: 'Address the scrape endpoint listens on.' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 9465, description: 'Port of the scrape endpoint (not the admin port: that one has the forwarder\'s own metrics).' },
    path: { type: 'string', pattern: '^/', default: '/metrics', description: 'Path of the scrape endpoint.' },
    series_idle_minutes: { type: 'integer', minimum: 1, maximum: 1440, default: 5, description: 'A series with no new sample for this long is dropped from the scrape (ended meetings disappear; Zoom sends QoS once a minute).' },
    send_timestamps: { type: 'boolean', default: false, description: 'Write each sample\'s own time on its line (off, like the Collector\'s exporter: Prometheus stamps the scrape time).' },
    ...sinkMappingProperties({ data: ['metrics'], attributes: {}, max_series_per_metric: 50000, pii: 'drop' }),
  },
} as const;
