// Schema, type and defaults of `bus.embedded` in forwarder.yaml.

export interface EmbeddedBusConfig {
  path: string;
  max_commit_events: number;
  poll_interval_ms: number;
  retention: {
    interval_ms: number;
    max_age_hours: number;
    max_size_mb: number;
    on_full: 'reject' | 'drop_oldest';
  };
}

export const embeddedBusConfigSchema = {
  type: 'object',
  description: 'The embedded durable bus: a SQLite file on local disk (single machine).',
  additionalProperties: false,
  default: {},
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      default: './data/bus.sqlite',
      description: 'SQLite database file, relative to the working directory. Its folder is created if missing.',
    },
    max_commit_events: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 256,
      description: 'Most events written in one durable transaction. Concurrent requests share one fsync.',
    },
    poll_interval_ms: {
      type: 'integer',
      minimum: 10,
      maximum: 60000,
      default: 1000,
      description: 'How often an idle consumer looks for events written by another process (events written by this process wake it at once).',
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Events every sink has committed are deleted at once. These limits bound what is left; deleting an undelivered event is counted (qss_forwarder_bus_dropped_total) and logged.',
      properties: {
        interval_ms: { type: 'integer', minimum: 100, maximum: 3600000, default: 5000, description: 'How often retention runs.' },
        max_age_hours: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 168,
          description: 'Undelivered events older than this are deleted (counted and logged as max_age).',
        },
        max_size_mb: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 2048,
          description: 'Size cap of the store. What happens at the cap is set by on_full.',
        },
        on_full: {
          enum: ['reject', 'drop_oldest'],
          default: 'reject',
          description: 'reject: refuse new events with 503 so Zoom retries later (nothing acknowledged is lost). drop_oldest: accept, and delete the oldest undelivered events (counted and logged as max_size).',
        },
      },
    },
  },
} as const;
