// Schema, type and defaults of a `type: blackhole` sink.

export interface BlackholeSinkConfig {
  type: 'blackhole';
}

export const blackholeSinkConfigSchema = {
  type: 'object',
  description: 'Accepts and discards every event (counted in qss_forwarder_sink_events_delivered_total). For benchmarks and dry runs.',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { const: 'blackhole' },
  },
} as const;
