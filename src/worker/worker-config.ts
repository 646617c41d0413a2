// Schema, type and defaults of `worker:` in forwarder.yaml: how sink consumers read the bus.

export interface WorkerConfig {
  max_batch_events: number;
  retry: {
    initial_backoff_ms: number;
    max_backoff_ms: number;
    max_attempts: number;
  };
  shutdown_grace_ms: number;
  sinks_reload_interval_ms: number;
  max_attribute_value_chars: number;
}

export const workerConfigSchema = {
  type: 'object',
  description: 'Sink workers: one consumer per sink, each with its own committed position.',
  additionalProperties: false,
  default: {},
  properties: {
    max_batch_events: { type: 'integer', minimum: 1, maximum: 100000, default: 500, description: 'Most events handed to a sink at once.' },
    retry: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Retries of a batch a sink could not take (exponential backoff with full jitter).',
      properties: {
        initial_backoff_ms: { type: 'integer', minimum: 1, maximum: 3600000, default: 500, description: 'First wait after a retryable failure.' },
        max_backoff_ms: { type: 'integer', minimum: 1, maximum: 3600000, default: 30000, description: 'Longest wait between attempts.' },
        max_attempts: {
          type: 'integer',
          minimum: 0,
          maximum: 1000000,
          default: 0,
          description: 'Attempts before a retryable failure is dead-lettered; 0 = retry until it succeeds (the sink holds its position; nothing is dropped).',
        },
      },
    },
    shutdown_grace_ms: { type: 'integer', minimum: 0, maximum: 600000, default: 10000, description: 'On SIGTERM, time given to in-flight batches before they are abandoned (and redelivered on restart).' },
    sinks_reload_interval_ms: {
      type: 'integer',
      minimum: 0,
      maximum: 3600000,
      default: 5000,
      description: 'How often sinks.yaml is checked for changes (a Kubernetes ConfigMap update); a valid change is applied without a restart, an invalid one is logged and refused. 0 = only on SIGHUP.',
    },
    max_attribute_value_chars: {
      type: 'integer',
      minimum: 64,
      maximum: 65536,
      default: 256,
      description:
        'Longest value (in characters) the pipeline keeps from a Zoom body in a metric attribute or the enrichment cache: ids, qos type, participant dimensions. Longer values are cut to this length and counted (`qss_forwarder_pipeline_attribute_values_cut_total`); `data: events` sinks still get the body verbatim. Genuine Zoom values are under 50 characters.',
    },
  },
} as const;
