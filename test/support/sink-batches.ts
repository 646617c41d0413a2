// Test data for sinks: Zoom's example events with their times moved to "now" (Datadog refuses
// points older than an hour), as bus records, and sink batches prepared by the real pipeline.
import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { join } from 'node:path';
import type { BusRecord } from '../../src/bus/bus.ts';
import { compileSinkPipelines } from '../../src/pipeline/compile-sink-pipelines.ts';
import { normalizeQssEvent } from '../../src/pipeline/normalize/normalize-qss-event.ts';
import type { QosSample } from '../../src/pipeline/normalize/qos-sample.ts';
import { prepareSinkBatch, type PreparedBatch } from '../../src/pipeline/prepare-sink-batch.ts';
import { createSink, type SinkConfig } from '../../src/sinks/sink-registry.ts';
import type { SinkBatch } from '../../src/sinks/sink.ts';
import { zoomEventMetadata } from '../../src/zoom/zoom-event-metadata.ts';
import { freshCache, sinksConfig } from './pipeline-deps.ts';
import { freshMetrics, silentLogger } from './test-deps.ts';

const EXAMPLES = join(import.meta.dirname, '../fixtures/zoom');

/** The 14 QSS example bodies (not the CRC), as Zoom sent them. */
export function exampleBodies(): { name: string; text: string }[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && !f.startsWith('endpoint.'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), text: readFileSync(join(EXAMPLES, f), 'utf8') }));
}

/** Every `date_time` and `event_ts` moved to `nowMs` (minus `i` seconds per qos item, so times differ). */
export function movedToNow(text: string, nowMs: number): string {
  let i = 0;
  return text
    .replace(/"date_time":\s*"[^"]*"/g, () => `"date_time": "${new Date(nowMs - 1000 * i++).toISOString().replace(/\.\d{3}Z$/, 'Z')}"`)
    .replace(/"event_ts":\s*\d+/g, `"event_ts": ${nowMs}`);
}

let seq = 0;
export function busRecord(text: string, receivedAt = Date.now()): BusRecord {
  const body = JSON.parse(text) as Record<string, unknown>;
  const m = zoomEventMetadata(body);
  return { id: String(++seq), body: Buffer.from(text), meta: { app: 'default', event: String(body.event), accountId: m.accountId, instanceKey: m.instanceKey, receivedAt } };
}

/** What the pipeline hands the sink named `s` in `config` for these records. */
export function prepare(config: object, records: readonly BusRecord[], sink = 's'): { batch: SinkBatch; prepared: PreparedBatch } {
  const pipeline = compileSinkPipelines(sinksConfig(config)).get(sink);
  if (pipeline === undefined) throw new Error(`no sink ${sink}`);
  const prepared = prepareSinkBatch(records, pipeline, { cache: freshCache(), nowMs: Date.now() });
  return { batch: { events: prepared.events, points: prepared.points, pointRecords: prepared.pointRecords }, prepared };
}

/** A sink of the given config (defaults filled by the real loader), quick retries, fresh metrics. */
export function testSink(config: { type: string } & Record<string, unknown>, retry: Partial<{ initial_backoff_ms: number; max_backoff_ms: number; max_attempts: number }> = {}, logger: Logger = silentLogger) {
  const metrics = freshMetrics();
  const sink = createSink('s', sinksConfig({ sinks: { s: config } }).sinks.s as SinkConfig, {
    stdout: process.stdout,
    retry: { initial_backoff_ms: 20, max_backoff_ms: 200, max_attempts: 0, ...retry },
    metrics,
    logger,
  });
  return { sink, metrics };
}

export function signalsFor(): { stop: AbortSignal; abort: AbortSignal; stopNow(): void } {
  const stop = new AbortController();
  const abort = new AbortController();
  return { stop: stop.signal, abort: abort.signal, stopNow: () => stop.abort() };
}

/** The normalized samples of these records: what a metric sink must deliver for them. */
export function samplesOf(records: readonly BusRecord[]): QosSample[] {
  return records.flatMap((r) => {
    const n = normalizeQssEvent(JSON.parse(r.body.toString('utf8')), r.meta.receivedAt);
    return n.kind === 'qos' ? n.samples : [];
  });
}

/** The examples moved to `nowMs`, as fresh bus records on each call: all 14, or the QoS ones. */
export function exampleRecords(nowMs = Date.now()): { all(): BusRecord[]; qos(): BusRecord[] } {
  const bodies = exampleBodies().map((b) => movedToNow(b.text, nowMs));
  return {
    all: () => bodies.map((b) => busRecord(b)),
    qos: () => bodies.filter((b) => /_qos/.test(b)).map((b) => busRecord(b)),
  };
}
