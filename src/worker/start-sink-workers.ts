// All sink consumers of a worker process, and how a new sinks.yaml is applied while they run:
// - a sink whose settings did not change keeps its consumer; only its routes and mapping are
//   swapped, between two batches (a batch in flight finishes with what it started with);
// - a changed sink is stopped (its in-flight batch gets the shutdown grace and commits what it
//   delivered), closed and started again with the new settings at its committed position;
// - a removed sink is stopped and closed; its position is kept on the bus;
// - a new sink starts at its committed position (a name never seen: the oldest event on the bus).
// Before any of that, every new and changed sink is checked (`checkSink`: a file sink's file must
// open): if one cannot start, the whole change is refused and nothing running is touched.
// Nothing is lost: positions only move over delivered or dead-lettered events. Reloads are applied
// one at a time. The participant dimension cache is shared by all sinks of the process.
import type { Logger } from 'pino';
import type { Bus, ConsumerHandle } from '../bus/bus.ts';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import type { SinkConfig } from '../sinks/sink-registry.ts';
import type { Sink } from '../sinks/sink.ts';
import type { SinksConfig } from '../sinks/sinks-config.ts';
import { compileSinkPipelines } from '../pipeline/compile-sink-pipelines.ts';
import type { ParticipantDimensionCache } from '../pipeline/enrich/participant-dimension-cache.ts';
import type { SinkPipeline } from '../pipeline/prepare-sink-batch.ts';
import { startSinkConsumer } from './start-sink-consumer.ts';
import type { WorkerConfig } from './worker-config.ts';

export interface SinkWorkersDeps {
  bus: Bus;
  worker: WorkerConfig;
  cache: ParticipantDimensionCache;
  createSink: (name: string, config: SinkConfig) => Sink;
  /** Problems that keep a sink from starting, each naming its setting (src/sinks/sink-registry.ts `checkSinkStart`). */
  checkSink: (name: string, config: SinkConfig) => Promise<string[]>;
  logger: Logger;
  metrics: SelfMetrics;
}

export interface ApplyReport {
  started: string[];
  restarted: string[];
  stopped: string[];
  /** Running on, with the new routes and mapping. */
  kept: string[];
}

/** Applied, or refused with nothing changed because a new or changed sink cannot start. */
export type ApplyOutcome = { ok: true; report: ApplyReport } | { ok: false; problems: string[] };

export interface SinkWorkers {
  /** Applies a validated sinks.yaml; resolves when every change is in place, or refused. */
  apply(config: SinksConfig): Promise<ApplyOutcome>;
  /** Names and types of the running sinks. */
  running(): string[];
  stop(graceMs: number): Promise<void>;
}

interface Running {
  settings: string;
  sink: Sink;
  consumer: ConsumerHandle;
  pipeline: SinkPipeline;
}

/** Feeds the shared cache's own counters into /metrics as deltas. */
function cacheMetricsSync(cache: ParticipantDimensionCache, metrics: SelfMetrics): () => void {
  let last = cache.stats();
  return () => {
    const now = cache.stats();
    if (now.hits > last.hits) metrics.enrichmentLookups.inc({ result: 'hit' }, now.hits - last.hits);
    if (now.misses > last.misses) metrics.enrichmentLookups.inc({ result: 'miss' }, now.misses - last.misses);
    if (now.evicted_capacity > last.evicted_capacity) metrics.enrichmentEvictions.inc({ reason: 'capacity' }, now.evicted_capacity - last.evicted_capacity);
    if (now.evicted_ttl > last.evicted_ttl) metrics.enrichmentEvictions.inc({ reason: 'ttl' }, now.evicted_ttl - last.evicted_ttl);
    if (now.evicted_memory > last.evicted_memory) metrics.enrichmentEvictions.inc({ reason: 'memory' }, now.evicted_memory - last.evicted_memory);
    metrics.enrichmentParticipants.set(now.entries);
    metrics.enrichmentCacheBytes.set(now.bytes);
    last = now;
  };
}

export function startSinkWorkers(deps: SinkWorkersDeps): SinkWorkers {
  const { bus, worker, logger, metrics } = deps;
  const running = new Map<string, Running>();
  const afterPrepare = cacheMetricsSync(deps.cache, metrics);
  let queue: Promise<unknown> = Promise.resolve();

  const start = (name: string, config: SinkConfig, pipeline: SinkPipeline): void => {
    const sink = deps.createSink(name, config);
    const entry = { settings: JSON.stringify(config), sink, pipeline } as Running;
    const maxWaitMs = 'batch' in config ? config.batch.max_wait_ms : 0;
    entry.consumer = startSinkConsumer({ bus, sink, pipeline: () => entry.pipeline, cache: deps.cache, config: worker, logger, metrics, afterPrepare, maxWaitMs });
    running.set(name, entry);
  };

  const halt = async (name: string, graceMs: number): Promise<void> => {
    const entry = running.get(name);
    if (entry === undefined) return;
    running.delete(name);
    await entry.consumer.stop(graceMs);
    await entry.sink.close();
  };

  const applyNow = async (config: SinksConfig): Promise<ApplyOutcome> => {
    const pipelines = compileSinkPipelines(config);
    const report: ApplyReport = { started: [], restarted: [], stopped: [], kept: [] };
    for (const [name, entry] of running) {
      const next = config.sinks[name];
      if (next === undefined) report.stopped.push(name);
      else if (JSON.stringify(next) !== entry.settings) report.restarted.push(name);
      else report.kept.push(name);
    }
    for (const name of Object.keys(config.sinks)) if (!running.has(name)) report.started.push(name);
    const problems = (await Promise.all([...report.started, ...report.restarted].map((name) => deps.checkSink(name, config.sinks[name]!)))).flat();
    if (problems.length > 0) return { ok: false, problems };

    for (const name of report.kept) (running.get(name) as Running).pipeline = pipelines.get(name) as SinkPipeline;
    await Promise.all([...report.stopped, ...report.restarted].map((name) => halt(name, worker.shutdown_grace_ms)));
    for (const [name, config_] of Object.entries(config.sinks)) {
      if (!running.has(name)) start(name, config_, pipelines.get(name) as SinkPipeline);
    }
    return { ok: true, report };
  };

  return {
    apply(config) {
      const next = queue.then(() => applyNow(config));
      queue = next.catch(() => undefined);
      return next;
    },
    running: () => [...running].map(([name, e]) => `${name}(${e.sink.type})`),
    async stop(graceMs) {
      await queue;
      await Promise.all([...running.keys()].map((name) => halt(name, graceMs)));
    },
  };
}
