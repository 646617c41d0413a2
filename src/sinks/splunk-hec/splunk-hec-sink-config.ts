// Schema, type and defaults of a `type: splunk_hec` sink: Splunk HTTP Event Collector, metrics
// (multi-metric events) or events (the Zoom JSON).
import { httpDeliveryProperties, type HttpDeliveryConfig } from '../../delivery/http-delivery-config.ts';
import { sinkMappingProperties, type SinkMappingConfig } from '../../pipeline/sink-contract.ts';

export interface SplunkHecSinkConfig extends SinkMappingConfig, HttpDeliveryConfig {
  type: 'splunk_hec';
  url: string;
  token: string;
  index?: string;
  host?: string;
  source: string;
  sourcetype?: string;
  indexer_ack: { enabled: boolean; poll_interval_ms: number; timeout_ms: number };
}

export const splunkHecSinkConfigSchema = {
  type: 'object',
  description: 'Splunk HTTP Event Collector. `data: metrics`: multi-metric events for a metrics index (one event per sample group, `metric_name:<name>` fields plus the attributes as dimensions). `data: events`: each Zoom event as a HEC event, sourcetype `zoom:qss:<event type>`.',
  additionalProperties: false,
  required: ['type', 'url', 'token'],
  properties: {
    type: { const: 'splunk_hec' },
    url: {
      type: 'string',
      pattern: '^https?://',
      description: 'HEC base URL (`https://splunk:8088`); `/services/collector/event` is appended unless the URL already names a collector path.',
    },
    token: { type: 'string', minLength: 1, writeOnly: true, description: 'HEC token (sent as `Authorization: Splunk <token>`).' },
    index: { type: 'string', description: 'Index to write to; empty or left out = the token\'s default index.' },
    host: { type: 'string', description: '`host` of every event; left out = Splunk sets it.' },
    source: { type: 'string', default: 'qss-forwarder', description: '`source` of every event.' },
    sourcetype: { type: 'string', description: '`sourcetype` of every event. Default: `zoom:qss:<event type>` for events, `zoom:qss:metrics` for metrics.' },
    indexer_ack: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Indexer acknowledgement (the token must have it on): a request counts as delivered only once Splunk says it is indexed.',
      properties: {
        enabled: { type: 'boolean', default: false, description: 'Send a channel with each request and poll `/services/collector/ack` for its ackId.' },
        poll_interval_ms: { type: 'integer', minimum: 10, maximum: 60000, default: 1000, description: 'How often to ask whether a request is indexed.' },
        timeout_ms: { type: 'integer', minimum: 100, maximum: 3600000, default: 60000, description: 'Not indexed by then: the request is sent again (duplicates possible; at-least-once).' },
      },
    },
    ...httpDeliveryProperties({ compression: ['gzip', 'none'], max_items: 1000, max_bytes: 1048576 }),
    ...sinkMappingProperties({ data: ['metrics', 'events'], attributes: {}, max_series_per_metric: 0, pii: 'drop' }),
  },
} as const;
