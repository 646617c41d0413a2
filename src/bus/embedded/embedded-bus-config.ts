// Schema, type and defaults of `bus.embedded` in forwarder.yaml. The disk and dead-letter bounds are
// shared with the Kafka ingress's spool (`bus.kafka.spool`), which is an embedded store too.

export interface DeadLettersConfig {
  max_age_hours: number;
  max_size_mb: number;
}

export interface EmbeddedBusConfig {
  path: string;
  max_commit_events: number;
  poll_interval_ms: number;
  min_free_disk_mb: number;
  retention: {
    interval_ms: number;
    max_age_hours: number;
    max_size_mb: number;
    on_full: 'reject' | 'drop_oldest';
    retired_consumer_hours: number;
  };
  dead_letters: DeadLettersConfig;
}

export const minFreeDiskSchema = {
  type: 'number',
  minimum: 0,
  default: 256,
  description:
    'Headroom kept on the filesystem of the store: while less than this is free (counting the store\'s own free pages), new events get 503 + Retry-After and /readyz turns 503, so deletes and checkpoints can always run. Accepting resumes by itself once 10 % more than this (at least 1 MiB more) is free. 0 turns the check off.',
} as const;

export const deadLettersConfigSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description:
    'Bounds of the dead_letters table, apart from the events: dead letters never count toward retention.max_size_mb. What is trimmed is counted (qss_forwarder_bus_dead_letters_trimmed_total) and logged.',
  properties: {
    max_age_hours: { type: 'number', exclusiveMinimum: 0, default: 720, description: 'Dead letters older than this are deleted (reason max_age). Default 30 days.' },
    max_size_mb: { type: 'number', exclusiveMinimum: 0, default: 256, description: 'Most dead letters kept (bodies and metadata); beyond it the oldest are deleted (reason max_size).' },
  },
} as const;

export const embeddedBusConfigSchema = {
  type: 'object',
  description: 'The embedded durable bus: a SQLite file on local disk, owned by one `serve` process (a second process on the same file refuses to start).',
  additionalProperties: false,
  default: {},
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      default: './data/bus.sqlite',
      description: 'SQLite database file, relative to the working directory. Missing folders are created owner-only (0700), the file owner-only (0600). The owner holds a lock on <path>.lock while it runs.',
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
      description: 'How often an idle consumer looks for events written by another process (`replay`); events written by this process wake it at once.',
    },
    min_free_disk_mb: minFreeDiskSchema,
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Events every sink has committed are deleted at once. These limits bound what is left; deleting an undelivered event is counted (qss_forwarder_bus_dropped_total) and logged.',
      properties: {
        interval_ms: { type: 'integer', minimum: 100, maximum: 3600000, default: 5000, description: 'How often retention runs (and the store\'s health is checked again).' },
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
          description: 'Size cap of the events held (bodies and metadata; dead letters have their own cap). What happens at the cap is set by on_full.',
        },
        on_full: {
          enum: ['reject', 'drop_oldest'],
          default: 'reject',
          description: 'reject: refuse new events with 503 so Zoom retries later (nothing acknowledged is lost). drop_oldest: accept, and delete the oldest undelivered events (counted and logged as max_size).',
        },
        retired_consumer_hours: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 24,
          description:
            'A sink no longer in sinks.yaml keeps its position, and retention keeps the events it has not received, for this long after it last ran — a sink removed by mistake loses nothing. Then its position is released (logged).',
        },
      },
    },
    dead_letters: deadLettersConfigSchema,
  },
} as const;
