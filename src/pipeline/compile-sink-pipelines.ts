// sinks.yaml (validated) → one SinkPipeline per sink: its routes, its metric mapping, its PII
// policy. Compiled once per config load or reload; the worker swaps the whole set at once. Takes
// only the parts of sinks.yaml the pipeline reads (a SinksConfig is one), so it needs no sink code.
import type { PiiPolicy } from './map/apply-pii-policy.ts';
import { compileMetricMapping } from './map/compile-metric-mapping.ts';
import type { SinkMappingConfig } from './map/sink-mapping-config.ts';
import type { SinkPipeline } from './prepare-sink-batch.ts';
import { compileRoutes } from './route/compile-routes.ts';
import type { RouteConfig } from './route/routes-config.ts';

/** What the pipeline reads of sinks.yaml: each sink's mapping settings, and the routes. */
export interface PipelinesConfig {
  sinks: Readonly<Record<string, SinkMappingConfig>>;
  routes?: RouteConfig[] | undefined;
}

export function piiPolicy(pii: SinkMappingConfig['pii']): PiiPolicy {
  if (pii.mode === 'hash') return { mode: 'hash', key: pii.hash_key ?? '' };
  return { mode: pii.mode };
}

export function compileSinkPipelines(config: PipelinesConfig): Map<string, SinkPipeline> {
  const routes = compileRoutes(config.routes, Object.keys(config.sinks));
  const pipelines = new Map<string, SinkPipeline>();
  for (const [name, sink] of Object.entries(config.sinks)) {
    pipelines.set(name, {
      name,
      data: sink.data,
      routes: routes.filter((r) => r.sinks.includes(name)),
      metrics: sink.data === 'metrics' ? compileMetricMapping(sink) : undefined,
      pii: piiPolicy(sink.pii),
    });
  }
  return pipelines;
}
