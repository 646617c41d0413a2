// The root schema of sinks.yaml: named sinks, each one of the registered types.
import { sinkConfigSchemas, type SinkConfig } from './sink-registry.ts';

export const SINK_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';

export interface SinksConfig {
  sinks: Record<string, SinkConfig>;
}

export const sinksConfigSchema = {
  $id: 'https://qss-forwarder.dev/schemas/sinks.json',
  title: 'qss-forwarder sinks.yaml',
  type: 'object',
  additionalProperties: false,
  required: ['sinks'],
  properties: {
    sinks: {
      type: 'object',
      description: 'Sinks by name. Each consumes every accepted event independently, with its own position on the bus.',
      propertyNames: { pattern: SINK_NAME_PATTERN },
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['type'],
        properties: { type: { type: 'string', description: 'Sink type.' } },
        discriminator: { propertyName: 'type' },
        oneOf: sinkConfigSchemas,
      },
    },
  },
} as const;
