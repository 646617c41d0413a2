// Schema, type and defaults of `enrichment:` in forwarder.yaml: the participant dimension cache the
// enrich stage joins onto QoS samples (docs/enrichment.md).
import type { ParticipantDimensionCacheOptions } from './participant-dimension-cache.ts';

export interface EnrichmentConfig {
  max_participants: number;
  ttl_minutes: number;
  max_cache_mb: number;
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
    max_cache_mb: {
      type: 'number',
      minimum: 1,
      maximum: 65536,
      default: 256,
      description:
        'Most memory (estimated, MiB) the cache holds per worker, whatever the values in the data events; beyond this the least recently used participants are evicted (`reason="memory"`). The default keeps a 1 GiB pod safe and holds the default max_participants of typical participants (about 1 KB each).',
    },
  },
} as const;

/** The cache options for a validated (defaults applied) `enrichment:` section. */
export function participantDimensionCacheOptions(config: EnrichmentConfig, now: () => number): ParticipantDimensionCacheOptions {
  return { maxEntries: config.max_participants, ttlMs: config.ttl_minutes * 60_000, maxBytes: config.max_cache_mb * 1_048_576, now };
}
