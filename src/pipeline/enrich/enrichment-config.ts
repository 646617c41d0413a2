// Schema, type and defaults of `enrichment:` in forwarder.yaml: the participant dimension cache the
// enrich stage joins onto QoS samples (docs/enrichment.md).
import type { ParticipantDimensionCacheOptions } from './participant-dimension-cache.ts';

export interface EnrichmentConfig {
  max_participants: number;
  ttl_minutes: number;
}

export const enrichmentConfigSchema = {
  type: 'object',
  description: 'Enrichment: the latest `*_data` dimensions (device, network type, location, data center, client version, …) per participant, joined onto that participant\'s QoS samples. Held in memory per worker.',
  additionalProperties: false,
  default: {},
  properties: {
    max_participants: {
      type: 'integer',
      minimum: 1,
      maximum: 10000000,
      default: 100000,
      description: 'Most participants whose dimensions are held per worker; beyond this the least recently used participant is evicted.',
    },
    ttl_minutes: {
      type: 'integer',
      minimum: 1,
      maximum: 10080,
      default: 240,
      description: 'A participant\'s dimensions are dropped this long after its last data event (QoS lookups do not extend it).',
    },
  },
} as const;

/** The cache options for a validated (defaults applied) `enrichment:` section. */
export function participantDimensionCacheOptions(config: EnrichmentConfig, now: () => number): ParticipantDimensionCacheOptions {
  return { maxEntries: config.max_participants, ttlMs: config.ttl_minutes * 60_000, now };
}
