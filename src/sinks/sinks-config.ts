// The root schema of sinks.yaml: named sinks, each one of the registered types, and the routes
// that say which events go to which sinks.
import { routesConfigSchema, type RouteConfig } from '../pipeline/sink-contract.ts';
import { sinkConfigSchemas, type SinkConfig } from './sink-registry.ts';

export const SINK_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';

export interface SinksConfig {
  sinks: Record<string, SinkConfig>;
  routes?: RouteConfig[];
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
      description: 'Sinks by name. Each reads the bus independently, with its own position: a slow or failing sink never holds back another.',
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
    routes: routesConfigSchema,
  },
} as const;
