// Schema, type and defaults of `admin:` (health and metrics listener) and `observability:`.
import type { LogFormat } from './create-logger.ts';

export interface AdminConfig {
  host: string;
  port: number;
  max_connections: number;
}

export interface ObservabilityConfig {
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  log_format: LogFormat;
  process_metrics: boolean;
}

export const adminConfigSchema = {
  type: 'object',
  description: 'Admin listener: GET /healthz, /readyz and /metrics (Prometheus text).',
  additionalProperties: false,
  default: {},
  properties: {
    host: {
      type: 'string',
      minLength: 1,
      default: '127.0.0.1',
      description: 'Address to listen on. /metrics is unauthenticated, so only this machine by default; 0.0.0.0 where probes and scrapers come from elsewhere (the Helm chart, docker-compose and the image set it), with the port kept off public networks.',
    },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 9464, description: 'Port (0 picks a free port). ADMIN_PORT overrides it.' },
    max_connections: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 64,
      description: 'Most connections open at once (probes and scrapers need a few); the one idle longest makes room for a new one.',
    },
  },
} as const;

export const observabilityConfigSchema = {
  type: 'object',
  description: 'Logs and self-metrics.',
  additionalProperties: false,
  default: {},
  properties: {
    log_level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], default: 'info', description: 'Lowest log level written. LOG_LEVEL overrides it.' },
    log_format: { enum: ['json', 'pretty'], default: 'json', description: 'json: one JSON object per line on stderr. pretty: human-readable lines. LOG_FORMAT overrides it.' },
    process_metrics: { type: 'boolean', default: true, description: 'Also export Node.js process metrics (CPU, memory, event loop lag) on /metrics.' },
  },
} as const;
