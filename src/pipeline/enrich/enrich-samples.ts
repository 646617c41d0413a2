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

const UNKEYED = Symbol('unkeyed');
const NOT_FOUND = Symbol('not_found');
type Join = Readonly<Record<string, string>> | typeof UNKEYED | typeof NOT_FOUND;

/**
 * Adds the cached dimensions to each sample's attributes; an attribute the sample already has is
 * never overwritten. The cache is asked once per distinct participant per call, so its hit/miss
 * counters count lookups, while `enriched`/`not_found` count samples. Samples of one qos item share
 * one frozen attributes object, so the join is worked out once per object and the enriched
 * attributes are shared (frozen) too.
 */
export function enrichSamples(samples: readonly QosSample[], cache: Pick<ParticipantDimensionCache, 'get'>): EnrichResult {
  const looked = new Map<string, Record<string, string> | undefined>();
  const joins = new Map<object, Join>();
  const join = (attributes: Readonly<Record<string, string>>, sample: QosSample): Join => {
    const key = sampleParticipantKey(sample);
    if (key === undefined) return UNKEYED;
    const k = participantCacheKey(key);
    let dimensions: Record<string, string> | undefined;
    if (looked.has(k)) dimensions = looked.get(k);
    else {
      dimensions = cache.get(key);
      looked.set(k, dimensions);
    }
    if (dimensions === undefined) return NOT_FOUND;
    let added: Record<string, string> | undefined;
    for (const name in dimensions) {
      if (Object.hasOwn(attributes, name)) continue;
      added ??= { ...attributes };
      added[name] = dimensions[name] as string;
    }
    return added === undefined ? attributes : Object.freeze(added);
  };
  const out: QosSample[] = [];
  let enriched = 0;
  let notFound = 0;
  let unkeyed = 0;
  for (const sample of samples) {
    let j = joins.get(sample.attributes);
    if (j === undefined) {
      j = join(sample.attributes, sample);
      joins.set(sample.attributes, j);
    }
    if (j === UNKEYED) {
      unkeyed++;
      out.push(sample);
    } else if (j === NOT_FOUND) {
      notFound++;
      out.push(sample);
    } else {
      enriched++;
      out.push(j === sample.attributes ? sample : { ...sample, attributes: j });
    }
  }
  return { samples: out, enriched, not_found: notFound, unkeyed };
}
