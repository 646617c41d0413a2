// Schema, type and defaults of the delivery keys every HTTP sink shares: request timeout,
// compression, concurrency, batching (count, bytes, age) and TLS. Each sink type picks its own
// defaults (the backends' limits differ).
import type { Compression } from './compress-body.ts';

export interface HttpDeliveryConfig {
  timeout_ms: number;
  compression: Compression;
  compression_level: number;
  max_concurrency: number;
  batch: { max_items: number; max_bytes: number; max_wait_ms: number };
  tls: { ca_file?: string; reject_unauthorized: boolean };
}

export interface HttpDeliveryDefaults {
  compression: readonly [Compression, ...Compression[]];
  max_items: number;
  max_bytes: number;
  /** The backend's own limit on one request body, or undefined. */
  max_bytes_limit?: number;
}

export function httpDeliveryProperties(d: HttpDeliveryDefaults) {
  return {
    timeout_ms: { type: 'integer', minimum: 100, maximum: 600000, default: 10000, description: 'Per-request timeout; a request that takes longer is retried with backoff.' },
    compression: { enum: [...d.compression], default: d.compression[0], description: 'Request body compression.' },
    compression_level: {
      type: 'integer',
      minimum: 1,
      maximum: 9,
      default: 1,
      description: 'zlib level: 1 is fastest (on QoS JSON about a fifth of the CPU of level 6, for ~20 % more bytes), 9 smallest.',
    },
    max_concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 2, description: 'Requests in flight at once for this sink.' },
    batch: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'How items (metric points or events) are grouped into requests.',
      properties: {
        max_items: { type: 'integer', minimum: 1, maximum: 1000000, default: d.max_items, description: 'Most items per request.' },
        max_bytes: {
          type: 'integer',
          minimum: 1024,
          maximum: d.max_bytes_limit ?? 1073741824,
          default: d.max_bytes,
          description: 'Most bytes per request before compression (a larger batch is split across requests; a 413 splits further).',
        },
        max_wait_ms: {
          type: 'integer',
          minimum: 0,
          maximum: 60000,
          default: 1000,
          description: 'Batching by age: when less than a full bus batch is waiting, wait until its oldest event is this old before sending (fewer, larger requests; at most this much added delay). 0 = send at once.',
        },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'TLS for https URLs.',
      properties: {
        ca_file: { type: 'string', minLength: 1, description: 'PEM file with the CA certificate(s) to trust (for private CAs).' },
        reject_unauthorized: { type: 'boolean', default: true, description: 'Refuse servers whose certificate does not verify. Turn off only for tests.' },
      },
    },
  } as const;
}
