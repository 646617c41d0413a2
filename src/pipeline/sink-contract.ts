// What the sinks need of the pipeline, in one place: what a sink is handed (the routed events and
// the metric points, prepare-sink-batch.ts) and the parts of sinks.yaml that every sink's config
// schema is made of (its routes, its mapping: data, attributes, series cap, PII). src/sinks imports
// the pipeline only through this file, so the pipeline's inside (normalize/, enrich/, map/,
// route/) can move without touching a sink. Types and schemas only: no behaviour of its own.
export type { MetricPoint } from './map/metric-point.ts';
export type { SinkEvent } from './map/sink-event.ts';
export { LOCAL_SINK_DEFAULTS, sinkMappingProperties, type SinkMappingConfig } from './map/sink-mapping-config.ts';
export { routesConfigSchema, type RouteConfig } from './route/routes-config.ts';
