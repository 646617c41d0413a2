// The root schema of forwarder.yaml: each section's schema lives beside the code that owns it.
import { embeddedBusConfigSchema, type EmbeddedBusConfig } from '../bus/embedded/embedded-bus-config.ts';
import { kafkaBusConfigSchema, type KafkaBusConfig } from '../bus/kafka/kafka-bus-config.ts';
import { serverConfigSchema, zoomConfigSchema, type ServerConfig, type ZoomConfig } from '../ingress/ingress-config.ts';
import { adminConfigSchema, observabilityConfigSchema, type AdminConfig, type ObservabilityConfig } from '../observability/observability-config.ts';
import { enrichmentConfigSchema, type EnrichmentConfig } from '../pipeline/enrich/enrichment-config.ts';
import { workerConfigSchema, type WorkerConfig } from '../worker/worker-config.ts';

export interface BusConfig {
  type: 'embedded' | 'kafka';
  embedded: EmbeddedBusConfig;
  kafka: KafkaBusConfig;
}

export interface ForwarderConfig {
  data_dir: string;
  server: ServerConfig;
  zoom: ZoomConfig;
  admin: AdminConfig;
  bus: BusConfig;
  worker: WorkerConfig;
  enrichment: EnrichmentConfig;
  observability: ObservabilityConfig;
}

export const forwarderConfigSchema = {
  $id: 'https://qss-forwarder.dev/schemas/forwarder.json',
  title: 'qss-forwarder forwarder.yaml',
  type: 'object',
  additionalProperties: false,
  properties: {
    data_dir: {
      type: 'string',
      minLength: 1,
      default: './data',
      description: 'Folder for local state (the generated local secret token). Relative to the working directory.',
    },
    server: serverConfigSchema,
    zoom: zoomConfigSchema,
    admin: adminConfigSchema,
    bus: {
      type: 'object',
      description: 'Where accepted events are made durable before Zoom gets its 200.',
      additionalProperties: false,
      default: {},
      properties: {
        type: {
          enum: ['embedded', 'kafka'],
          default: 'embedded',
          description: 'embedded: a SQLite file on this machine (serve, or ingress + worker on one machine). kafka: any number of ingress and worker replicas. KAFKA_BROKERS selects kafka.',
        },
        embedded: embeddedBusConfigSchema,
        kafka: kafkaBusConfigSchema,
      },
    },
    worker: workerConfigSchema,
    enrichment: enrichmentConfigSchema,
    observability: observabilityConfigSchema,
  },
} as const;
