// Schema, type and defaults of `bus.kafka` in forwarder.yaml.
import { deadLettersConfigSchema, minFreeDiskSchema, type DeadLettersConfig } from '../embedded/embedded-bus-config.ts';

export interface KafkaBusConfig {
  brokers: string[];
  client: 'kafkajs' | 'platformatic';
  client_id: string;
  topic: string;
  dlq_topic: string;
  group_prefix: string;
  tls?: { ca_file?: string; cert_file?: string; key_file?: string; reject_unauthorized: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  connection_timeout_ms: number;
  request_timeout_ms: number;
  compression: 'none' | 'gzip';
  acks: -1 | 0 | 1;
  idempotent: boolean;
  linger_ms: number;
  max_batch_records: number;
  max_batch_bytes: number;
  ack_timeout_ms: number;
  spool: { path: string; max_size_mb: number; max_age_hours: number; min_free_disk_mb: number; dead_letters: DeadLettersConfig };
  consumer: {
    session_timeout_ms: number;
    heartbeat_interval_ms: number;
    partitions_consumed_concurrently: number;
    from_beginning: boolean;
  };
}

export const kafkaBusConfigSchema = {
  type: 'object',
  description: 'The Kafka bus: stateless ingress replicas publish, worker replicas consume in one consumer group per sink. KAFKA_BROKERS selects it.',
  additionalProperties: false,
  default: {},
  properties: {
    brokers: {
      type: 'array',
      items: { type: 'string', pattern: '^[^\\s,]+:[0-9]{1,5}$' },
      default: [],
      description: 'Bootstrap brokers, host:port. KAFKA_BROKERS (comma-separated) overrides them and selects bus.type kafka.',
    },
    client: {
      enum: ['kafkajs', 'platformatic'],
      default: 'kafkajs',
      description:
        'Kafka client library: kafkajs (2.2.4, the one to run) or platformatic (@platformatic/kafka 1.35, maintained; for comparison, not for production: its workers crashed when a broker stalled — docs/deploy.md, "The Kafka client"). One group can hold workers on both.',
    },
    client_id: { type: 'string', minLength: 1, default: 'qss-forwarder', description: 'Kafka client id.' },
    topic: { type: 'string', minLength: 1, default: 'zoom.qss.events', description: 'Topic of accepted events: value = Zoom body byte-for-byte, key = meeting/webinar/session/call instance.' },
    dlq_topic: { type: 'string', minLength: 1, default: 'zoom.qss.dlq', description: 'Dead-letter topic: records a sink refused for good, or that could not be decoded.' },
    group_prefix: { type: 'string', minLength: 1, default: 'qss-forwarder', description: 'Consumer group of a sink: <group_prefix>.<sink name>.' },
    tls: {
      type: 'object',
      additionalProperties: false,
      description: 'Connect with TLS. Leave out for plaintext. Files are PEM.',
      properties: {
        ca_file: { type: 'string', minLength: 1, description: 'CA bundle to trust (default: the system CAs).' },
        cert_file: { type: 'string', minLength: 1, description: 'Client certificate, for mutual TLS.' },
        key_file: { type: 'string', minLength: 1, description: 'Client private key, for mutual TLS.' },
        reject_unauthorized: { type: 'boolean', default: true, description: 'Verify the brokers\' certificates.' },
      },
    },
    sasl: {
      type: 'object',
      additionalProperties: false,
      required: ['mechanism', 'username', 'password'],
      description: 'SASL authentication.',
      properties: {
        mechanism: { enum: ['plain', 'scram-sha-256', 'scram-sha-512'], description: 'SASL mechanism.' },
        username: { type: 'string', minLength: 1, description: 'SASL user name.' },
        password: { type: 'string', minLength: 1, writeOnly: true, description: 'SASL password; use ${VAR} interpolation.' },
      },
    },
    connection_timeout_ms: { type: 'integer', minimum: 100, maximum: 600000, default: 3000, description: 'TCP/TLS connect timeout.' },
    request_timeout_ms: { type: 'integer', minimum: 100, maximum: 600000, default: 10000, description: 'Timeout of one Kafka request.' },
    compression: { enum: ['none', 'gzip'], default: 'none', description: 'Produce compression. gzip is built into both clients; snappy/lz4/zstd need extra codec packages with kafkajs and are not offered.' },
    acks: { enum: [-1, 0, 1], default: -1, description: '-1: all in-sync replicas acknowledge before Zoom gets its 200.' },
    idempotent: { type: 'boolean', default: false, description: 'kafkajs idempotent producer (experimental there; known issues under concurrent sends). Not used with client platformatic (its idempotent producer retries without bound inside the client).' },
    linger_ms: { type: 'integer', minimum: 0, maximum: 1000, default: 5, description: 'How long concurrent requests wait to share one produce request.' },
    max_batch_records: { type: 'integer', minimum: 1, maximum: 100000, default: 500, description: 'Most records in one produce request.' },
    max_batch_bytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 104857600,
      default: 900000,
      description: 'Most body bytes in one produce request; keep it under the brokers\' message.max.bytes (1 MB by default). A single larger event is sent alone.',
    },
    ack_timeout_ms: {
      type: 'integer',
      minimum: 50,
      maximum: 2500,
      default: 1000,
      description: 'If Kafka has not acknowledged by then (Zoom waits 3 s), the event goes to the local spool and Zoom gets its 200.',
    },
    spool: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Local durable spool (SQLite) used while Kafka is unreachable or slow; drained to Kafka in order when it is back.',
      properties: {
        path: { type: 'string', minLength: 1, default: './data/spool.sqlite', description: 'Spool file, relative to the working directory (one per ingress process: it holds a lock on <path>.lock while it runs).' },
        max_size_mb: { type: 'number', exclusiveMinimum: 0, default: 1024, description: 'When the spool is full, events get 503 + Retry-After (Zoom retries later).' },
        max_age_hours: { type: 'number', exclusiveMinimum: 0, default: 168, description: 'Spooled events older than this are deleted (counted and logged).' },
        min_free_disk_mb: minFreeDiskSchema,
        dead_letters: {
          ...deadLettersConfigSchema,
          description: `Events Kafka refused for good (too large, not authorised) are set aside in the spool's dead_letters table; \`replay --from-spool\` puts them back. ${deadLettersConfigSchema.description}`,
        },
      },
    },
    consumer: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Worker side.',
      properties: {
        session_timeout_ms: { type: 'integer', minimum: 1000, maximum: 600000, default: 30000, description: 'Group session timeout.' },
        heartbeat_interval_ms: { type: 'integer', minimum: 100, maximum: 60000, default: 3000, description: 'Heartbeat interval (also while a sink is retried).' },
        partitions_consumed_concurrently: { type: 'integer', minimum: 1, maximum: 64, default: 1, description: 'Partitions a worker delivers in parallel (order is kept within a partition).' },
        from_beginning: { type: 'boolean', default: true, description: 'A new sink (new group) starts at the oldest retained record rather than at the end.' },
      },
    },
  },
} as const;
