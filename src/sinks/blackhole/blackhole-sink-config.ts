// Schema, type and defaults of a `type: blackhole` sink.
import { LOCAL_SINK_DEFAULTS, sinkMappingProperties, type SinkMappingConfig } from '../../pipeline/sink-contract.ts';

export interface BlackholeSinkConfig extends SinkMappingConfig {
  type: 'blackhole';
}

export const blackholeSinkConfigSchema = {
  type: 'object',
  description: 'Accepts and discards every event (counted in qss_forwarder_sink_events_delivered_total). For benchmarks and dry runs.',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { const: 'blackhole' },
    ...sinkMappingProperties(LOCAL_SINK_DEFAULTS),
  },
} as const;
