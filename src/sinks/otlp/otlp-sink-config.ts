// Schema, type and defaults of a `type: otlp` sink: OpenTelemetry metrics over OTLP/HTTP (JSON).
import { httpDeliveryProperties, type HttpDeliveryConfig } from '../../delivery/http-delivery-config.ts';
import { sinkMappingProperties, type SinkMappingConfig } from '../../pipeline/sink-contract.ts';

export interface OtlpSinkConfig extends SinkMappingConfig, HttpDeliveryConfig {
  type: 'otlp';
  endpoint: string;
  headers: Record<string, string> | string;
  resource_attributes: Record<string, string>;
}

export const otlpSinkConfigSchema = {
  type: 'object',
  description: 'OpenTelemetry metrics over OTLP/HTTP (JSON) to a Collector or any OTLP endpoint: one gauge point per sample, with the sample\'s own time.',
  additionalProperties: false,
  required: ['type', 'endpoint'],
  properties: {
    type: { const: 'otlp' },
    endpoint: {
      type: 'string',
      pattern: '^https?://',
      description: 'Base URL of the OTLP/HTTP receiver (`http://collector:4318`); `/v1/metrics` is appended unless the URL already ends with it.',
    },
    headers: {
      type: ['object', 'string'],
      additionalProperties: { type: 'string', writeOnly: true, description: 'One header (name → value).' },
      writeOnly: true,
      default: {},
      description: 'Extra request headers (authentication): a mapping, or `k=v,k2=v2` as in OTEL_EXPORTER_OTLP_HEADERS, values percent-encoded (e.g. `${OTLP_HEADERS:-}`). A malformed entry (no `=`, a name that is not an HTTP token, bad percent-encoding, CR/LF in a value, a header the forwarder sets itself) is a config problem. Values are never logged.',
    },
    resource_attributes: {
      type: 'object',
      additionalProperties: { type: 'string' },
      default: { 'service.name': 'qss-forwarder' },
      description: 'Resource attributes of every export; `service.name` is required by OTLP receivers and is set to `qss-forwarder` unless given.',
    },
    ...httpDeliveryProperties({ compression: ['gzip', 'none'], max_items: 2000, max_bytes: 4194304 }),
    ...sinkMappingProperties({ data: ['metrics'], attributes: {}, max_series_per_metric: 0, pii: 'drop' }),
  },
} as const;
