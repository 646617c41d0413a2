import { expect } from 'chai';
import { Ajv } from 'ajv';
import { enrichmentConfigSchema, participantDimensionCacheOptions } from '../../../../src/pipeline/enrich/enrichment-config.ts';
import type { EnrichmentConfig } from '../../../../src/pipeline/enrich/enrichment-config.ts';

// Same ajv options as src/config/load-yaml-config.ts; nested as it will be under the root config.
const validateRoot = new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile({
  type: 'object',
  additionalProperties: false,
  properties: { enrichment: enrichmentConfigSchema },
});
const validate = (enrichment: Record<string, unknown>): boolean => validateRoot({ enrichment });

describe('enrichment config schema', () => {
  it('fills in the defaults', () => {
    const root: Record<string, unknown> = {};
    expect(validateRoot(root)).to.equal(true);
    expect(root).to.deep.equal({ enrichment: { max_participants: 100000, ttl_minutes: 240, max_cache_mb: 256 } });
  });

  it('rejects unknown keys and out-of-range values', () => {
    expect(validate({ max_entries: 5 })).to.equal(false);
    expect(validate({ max_participants: 0 })).to.equal(false);
    expect(validate({ ttl_minutes: 0 })).to.equal(false);
    expect(validate({ ttl_minutes: 1.5 })).to.equal(false);
    expect(validate({ max_cache_mb: 0.5 })).to.equal(false);
    expect(validate({ max_participants: 5, ttl_minutes: 1 })).to.equal(true);
  });

  it('describes every key', () => {
    for (const p of Object.values(enrichmentConfigSchema.properties)) expect(p.description).to.not.equal('');
  });

  it('maps to cache options', () => {
    const now = () => 42;
    const config: EnrichmentConfig = { max_participants: 7, ttl_minutes: 3, max_cache_mb: 2 };
    expect(participantDimensionCacheOptions(config, now)).to.deep.equal({ maxEntries: 7, ttlMs: 180_000, maxBytes: 2 * 1_048_576, now });
  });
});
