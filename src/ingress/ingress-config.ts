// Schema, type and defaults of `server:` (the webhook listener) and `zoom:` (the Zoom apps).

export interface TlsConfig {
  cert_file: string;
  key_file: string;
  min_version: 'TLSv1.2' | 'TLSv1.3';
}

export interface ServerConfig {
  host: string;
  port: number;
  max_body_bytes: number;
  max_clock_skew_seconds: number;
  retry_after_seconds: number;
  request_timeout_ms: number;
  max_connections: number;
  shutdown_drain_ms: number;
  replay_cache_max_entries: number;
  tls?: TlsConfig;
}

export interface ZoomAppConfig {
  secret_token: string;
  previous_secret_tokens: string[];
}

export interface ZoomConfig {
  apps: Record<string, ZoomAppConfig>;
}

export const DEFAULT_APP = 'default';
export const APP_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';

export const serverConfigSchema = {
  type: 'object',
  description: 'The webhook listener Zoom posts to.',
  additionalProperties: false,
  default: {},
  properties: {
    host: { type: 'string', minLength: 1, default: '0.0.0.0', description: 'Address to listen on.' },
    port: {
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      default: 8080,
      description: 'Port of the webhook listener (0 picks a free port). The PORT environment variable overrides it.',
    },
    max_body_bytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 67108864,
      default: 1048576,
      description: 'Largest accepted request body; larger ones get 413 without being read whole.',
    },
    max_clock_skew_seconds: {
      type: 'integer',
      minimum: 1,
      maximum: 86400,
      default: 300,
      description: 'Replay window: x-zm-request-timestamp further than this from now gets 401.',
    },
    retry_after_seconds: {
      type: 'integer',
      minimum: 1,
      maximum: 86400,
      default: 60,
      description: 'Retry-After sent with a 503 when an event could not be made durable.',
    },
    request_timeout_ms: {
      type: 'integer',
      minimum: 100,
      maximum: 600000,
      default: 10000,
      description: 'A client that has not sent its whole request by then is cut off (also a connection that never sends a byte: it is cut after min(request_timeout_ms, 60 s)).',
    },
    max_connections: {
      type: 'integer',
      minimum: 1,
      maximum: 1000000,
      default: 1024,
      description:
        'Most connections open at once. When a new one takes the last place, the connection idle longest (no request in progress) is closed to make room; when all are busy, new ones are closed at once (qss_forwarder_listener_connections_closed_total counts both). Lowered at start-up, with a warning, to what the open-file limit (ulimit -n, LimitNOFILE) leaves after 128 descriptors kept for the store, sinks and reloads and admin.max_connections.',
    },
    shutdown_drain_ms: {
      type: 'integer',
      minimum: 0,
      maximum: 600000,
      default: 2000,
      description:
        'On SIGTERM: the listener stops accepting and answers everything in progress, and every request still arriving on an open connection, with Connection: close; idle keep-alive connections are closed after this long, so that a request already on its way on one is answered rather than reset. Ends early once clients have closed them all. Then worker.shutdown_grace_ms for the sinks.',
    },
    replay_cache_max_entries: {
      type: 'integer',
      minimum: 0,
      maximum: 100000000,
      default: 1000000,
      description:
        'Signatures of accepted events remembered per Zoom app for max_clock_skew_seconds, so that an exact replay (same body, timestamp and signature) gets 200 without being stored again (outcome="duplicate"). About 70 bytes each; the default covers the whole 300 s window at 3,300 accepted requests/s (about 70 MB at that rate). Past it the oldest are forgotten (qss_forwarder_ingress_replay_cache_evictions_total). 0 turns it off. One process only: see docs/security.md.',
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['cert_file', 'key_file'],
      description: 'Serve HTTPS natively (TLS 1.2 or newer). Leave out behind a TLS-terminating ingress or load balancer.',
      properties: {
        cert_file: { type: 'string', minLength: 1, description: 'PEM certificate chain file.' },
        key_file: { type: 'string', minLength: 1, description: 'PEM private key file.' },
        min_version: { enum: ['TLSv1.2', 'TLSv1.3'], default: 'TLSv1.2', description: 'Oldest TLS version accepted.' },
      },
    },
  },
} as const;

export const zoomConfigSchema = {
  type: 'object',
  description: 'Zoom apps whose webhooks are accepted.',
  additionalProperties: false,
  default: {},
  properties: {
    apps: {
      type: 'object',
      description: `Zoom apps by name. "${DEFAULT_APP}" answers on /webhooks/zoom, every app on /webhooks/zoom/<name>.`,
      propertyNames: { pattern: APP_NAME_PATTERN },
      default: { [DEFAULT_APP]: {} },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          secret_token: {
            type: 'string',
            writeOnly: true,
            default: '',
            description: `The app's Webhook Secret Token (Zoom Marketplace → Features → Access). For "${DEFAULT_APP}", ZOOM_WEBHOOK_SECRET_TOKEN overrides it; left empty, a random local token is generated for trying it with \`simulate\`.`,
          },
          previous_secret_tokens: {
            type: 'array',
            writeOnly: true,
            items: { type: 'string', minLength: 1 },
            default: [],
            description: 'Tokens still accepted during a rotation (the old token while Zoom switches to the new one).',
          },
        },
      },
    },
  },
} as const;
