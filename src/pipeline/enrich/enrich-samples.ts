// The worker's enrich stage: joins the cached participant dimensions onto QoS samples. Pure apart
// from the cache it is given (its get counts hits/misses and refreshes LRU order). Input samples are
// never mutated. See docs/enrichment.md.
import { QOS_ATTRIBUTES } from '../normalize/qos-sample.ts';
import type { QosSample } from '../normalize/qos-sample.ts';
import type { ParticipantKey } from '../normalize/participant-dimensions.ts';
import type { ParticipantDimensionCache } from './participant-dimension-cache.ts';
import { participantCacheKey } from './participant-dimension-cache.ts';

/**
 * Instance attributes that can have `*_data` events, in lookup order. Zoom Phone (`zoom.call.id`)
 * has no data events, so phone samples are never looked up (counted as `unkeyed`).
 */
export const ENRICHABLE_INSTANCE_ATTRIBUTES = [QOS_ATTRIBUTES.meetingUuid, QOS_ATTRIBUTES.webinarUuid, QOS_ATTRIBUTES.sessionId] as const;

export interface EnrichResult {
  /** Same order and length as the input; a sample that gained attributes is a new object, others are the input object. */
  samples: QosSample[];
  /** Samples whose participant was in the cache (even if every cached dimension was already set on the sample). */
  enriched: number;
  /** Samples with a participant key that the cache did not have (or had expired). */
  not_found: number;
  /** Samples without account, enrichable instance or participant id attributes (e.g. Zoom Phone); not looked up. */
  unkeyed: number;
}

/** The cache key a sample belongs to, or undefined if it cannot have data-event dimensions. */
export function sampleParticipantKey(sample: QosSample): ParticipantKey | undefined {
  const a = sample.attributes;
  const account_id = a[QOS_ATTRIBUTES.accountId];
  const participant = a[QOS_ATTRIBUTES.participantId];
  if (account_id === undefined || participant === undefined) return undefined;
  for (const name of ENRICHABLE_INSTANCE_ATTRIBUTES) {
    const instance = a[name];
    if (instance !== undefined) return { account_id, instance, participant };
  }
  return undefined;
}

/**
 * Adds the cached dimensions to each sample's attributes; an attribute the sample already has is
 * never overwritten. The cache is asked once per distinct participant per call, so its hit/miss
 * counters count lookups, while `enriched`/`not_found` count samples.
 */
export function enrichSamples(samples: readonly QosSample[], cache: Pick<ParticipantDimensionCache, 'get'>): EnrichResult {
  const looked = new Map<string, Record<string, string> | undefined>();
  const out: QosSample[] = [];
  let enriched = 0;
  let notFound = 0;
  let unkeyed = 0;
  for (const sample of samples) {
    const key = sampleParticipantKey(sample);
    if (key === undefined) {
      unkeyed++;
      out.push(sample);
      continue;
    }
    const k = participantCacheKey(key);
    let dimensions: Record<string, string> | undefined;
    if (looked.has(k)) dimensions = looked.get(k);
    else {
      dimensions = cache.get(key);
      looked.set(k, dimensions);
    }
    if (dimensions === undefined) {
      notFound++;
      out.push(sample);
      continue;
    }
    enriched++;
    const added = Object.entries(dimensions).filter(([name]) => !Object.hasOwn(sample.attributes, name));
    out.push(added.length === 0 ? sample : { ...sample, attributes: { ...sample.attributes, ...Object.fromEntries(added) } });
  }
  return { samples: out, enriched, not_found: notFound, unkeyed };
}
