// Test helpers for the worker pipeline: a sink pipeline that forwards every event as it is, a
// fresh dimension cache, and sink configs with the schema's defaults filled in.
import { parseSinksConfig } from '../../src/config/load-config.ts';
import { createParticipantDimensionCache } from '../../src/pipeline/enrich/participant-dimension-cache.ts';
import type { SinkPipeline } from '../../src/pipeline/prepare-sink-batch.ts';
import { compileRoutes } from '../../src/pipeline/route/compile-routes.ts';
import type { SinkConfig } from '../../src/sinks/sink-registry.ts';
import type { SinksConfig } from '../../src/sinks/sinks-config.ts';

export function freshCache() {
  return createParticipantDimensionCache({ maxEntries: 1000, ttlMs: 3600_000, now: Date.now });
}

/** Every event, verbatim: what a sink got before routes and mapping existed. */
export function passThroughPipeline(name: string): SinkPipeline {
  return { name, data: 'events', routes: compileRoutes(undefined, [name]), metrics: undefined, pii: { mode: 'keep' } };
}

/** startSinkConsumer's pipeline deps for a pass-through sink. */
export function passThroughDeps(name: string) {
  const pipeline = passThroughPipeline(name);
  return { pipeline: () => pipeline, cache: freshCache() };
}

/** A whole sinks.yaml (as a value) through the real loader: defaults filled, checks run. Throws on problems. */
export function sinksConfig(value: object): SinksConfig {
  const parsed = parseSinksConfig('sinks.yaml', JSON.stringify(value), {});
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.where} ${i.path}: ${i.message}`).join('\n'));
  return parsed.value;
}

/** One sink's config with defaults, e.g. sinkConfig({ type: 'file', path: 'x' }). */
export function sinkConfig<T extends SinkConfig>(value: Partial<T> & { type: T['type'] }): T {
  return sinksConfig({ sinks: { s: value } }).sinks.s as T;
}
