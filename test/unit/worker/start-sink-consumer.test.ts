import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BusRecord } from '../../../src/bus/bus.ts';
import { openTestBus, testBusConfig } from '../../support/embedded-bus.ts';
import { permanent, retryable, SUCCESS } from '../../../src/delivery/delivery-result.ts';
import { retryingWrite } from '../../../src/delivery/retry-writes.ts';
import type { SelfMetrics } from '../../../src/observability/self-metrics.ts';
import type { WorkerConfig } from '../../../src/worker/worker-config.ts';
import { startSinkConsumer } from '../../../src/worker/start-sink-consumer.ts';
import type { Sink, SinkBatch, SinkResult } from '../../../src/sinks/sink.ts';
import { passThroughDeps } from '../../support/pipeline-deps.ts';
import { eventually } from '../../support/signed-request.ts';
import { freshMetrics, metricValue, silentLogger } from '../../support/test-deps.ts';

const worker = (over: Partial<WorkerConfig['retry']> = {}): WorkerConfig => ({
  max_batch_events: 5,
  retry: { initial_backoff_ms: 1, max_backoff_ms: 5, max_attempts: 0, ...over },
  shutdown_grace_ms: 100,
  sinks_reload_interval_ms: 0,
  max_attribute_value_chars: 256,
});

/** A sink at the seam: answers from a script, records what it was given. */
function scriptedSink(script: (call: number, batch: readonly BusRecord[]) => SinkResult): Sink & { received: string[]; calls: number } {
  const sink = {
    name: 'scripted',
    type: 'test',
    received: [] as string[],
    calls: 0,
    async write({ events }: SinkBatch) {
      const batch = events.map((e) => e.record);
      const result = script(++sink.calls, batch);
      if (result.status === 'success') sink.received.push(...batch.map((r) => r.body.toString()));
      return result;
    },
    async close() {},
  };
  return sink;
}

/** The sink as the registry hands it to the consumer: its write guarded by the delivery retry loop (where retries live). */
function guarded(sink: Sink, metrics: SelfMetrics, config: WorkerConfig, random?: () => number): Sink {
  return { ...sink, write: retryingWrite(sink.write.bind(sink), { name: sink.name, retry: config.retry, metrics, logger: silentLogger, ...(random === undefined ? {} : { random }) }) };
}

async function setup(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'qssf-worker-'));
  const path = join(dir, 'bus.sqlite');
  const metrics = freshMetrics();
  const bus = openTestBus({ config: testBusConfig(path, { poll_interval_ms: 10, retention: { max_age_hours: 1, max_size_mb: 100 } }), logger: silentLogger, metrics });
  for (let i = 0; i < n; i++) await bus.publish({ body: Buffer.from(`{"i":${i}}`), meta: { app: 'default', event: 'e', receivedAt: Date.now() } });
  return { bus, metrics, path };
}

describe('startSinkConsumer', () => {
  it('retries a retryable failure (position held) until it succeeds, in order', async () => {
    const { bus, metrics } = await setup(12);
    const sink = scriptedSink((call) => (call <= 3 ? retryable('http_503') : SUCCESS));
    const handle = startSinkConsumer({ ...passThroughDeps(sink.name), bus, sink: guarded(sink, metrics, worker()), config: worker(), logger: silentLogger, metrics });
    await eventually(() => (sink.received.length === 12 ? true : undefined));
    await handle.stop(100);
    await bus.close();
    expect(sink.received).to.deep.equal(Array.from({ length: 12 }, (_, i) => `{"i":${i}}`));
    expect(await metricValue(metrics, 'qss_forwarder_sink_failures_total', { sink: 'scripted', reason: 'retryable' })).to.equal(3);
    expect(await metricValue(metrics, 'qss_forwarder_sink_events_delivered_total', { sink: 'scripted' })).to.equal(12);
  });

  it('dead-letters a permanently refused batch and goes on with the next', async () => {
    const { bus, metrics, path } = await setup(10);
    const sink = scriptedSink((call) => (call === 1 ? permanent('http_400') : SUCCESS));
    const handle = startSinkConsumer({ ...passThroughDeps(sink.name), bus, sink: guarded(sink, metrics, worker()), config: worker(), logger: silentLogger, metrics });
    await eventually(() => (sink.received.length === 5 ? true : undefined));
    await handle.stop(100);
    await bus.close();
    const db = new Database(path, { readonly: true });
    const dead = db.prepare('SELECT CAST(body AS TEXT) AS body, reason, consumer FROM dead_letters ORDER BY id').all() as { body: string; reason: string; consumer: string }[];
    db.close();
    expect(dead.map((d) => d.body)).to.deep.equal(Array.from({ length: 5 }, (_, i) => `{"i":${i}}`));
    expect(dead[0]).to.include({ reason: 'http_400', consumer: 'scripted' });
    expect(sink.received).to.deep.equal(Array.from({ length: 5 }, (_, i) => `{"i":${i + 5}}`));
    expect(await metricValue(metrics, 'qss_forwarder_sink_dead_lettered_total', { sink: 'scripted', reason: 'http_400' })).to.equal(5);
  });

  it('with max_attempts, a batch that keeps failing is dead-lettered as retries_exhausted', async () => {
    const { bus, metrics } = await setup(3);
    const sink = scriptedSink(() => retryable('timeout'));
    const handle = startSinkConsumer({ ...passThroughDeps(sink.name), bus, sink: guarded(sink, metrics, worker({ max_attempts: 4 })), config: worker({ max_attempts: 4 }), logger: silentLogger, metrics });
    await eventually(async () => ((await metricValue(metrics, 'qss_forwarder_sink_dead_lettered_total', { reason: 'retries_exhausted:timeout' })) === 3 ? true : undefined));
    await handle.stop(100);
    await bus.close();
    expect(sink.calls).to.equal(4);
  });

  it('stop() abandons a batch stuck in backoff; it is delivered after a restart', async () => {
    const { bus, metrics, path } = await setup(2);
    const failing = scriptedSink(() => retryable('down'));
    const cfg = { ...worker(), retry: { initial_backoff_ms: 60000, max_backoff_ms: 60000, max_attempts: 0 } };
    const handle = startSinkConsumer({ ...passThroughDeps('scripted'), bus, sink: guarded(failing, metrics, cfg, () => 0.99), config: cfg, logger: silentLogger, metrics });
    await eventually(() => (failing.calls >= 1 ? true : undefined));
    await handle.stop(50);
    await bus.close();
    const bus2 = openTestBus({ config: testBusConfig(path, { poll_interval_ms: 10, retention: { max_age_hours: 1, max_size_mb: 100 } }), logger: silentLogger, metrics: freshMetrics() });
    const ok = scriptedSink(() => SUCCESS);
    const metrics2 = freshMetrics();
    const handle2 = startSinkConsumer({ ...passThroughDeps('scripted'), bus: bus2, sink: guarded(ok, metrics2, worker()), config: worker(), logger: silentLogger, metrics: metrics2 });
    await eventually(() => (ok.received.length === 2 ? true : undefined));
    await handle2.stop(100);
    await bus2.close();
    expect(ok.received).to.deep.equal(['{"i":0}', '{"i":1}']);
  });

  it('calls write once per batch: a retryable answer (the sink gave up: stopping) commits nothing and is neither retried nor dead-lettered here', async () => {
    const { bus, metrics, path } = await setup(3);
    let stopped: Promise<void> | undefined;
    const sink = { ...scriptedSink(() => SUCCESS), calls: 0 };
    sink.write = async () => {
      sink.calls++;
      await new Promise((r) => setImmediate(r)); // the handle exists once the first batch is in hand
      stopped ??= handle.stop(100);
      return retryable('stopping');
    };
    const handle = startSinkConsumer({ ...passThroughDeps(sink.name), bus, sink, config: worker(), logger: silentLogger, metrics });
    await eventually(() => (stopped === undefined ? undefined : true));
    await stopped;
    await bus.close();
    const db = new Database(path, { readonly: true });
    const position = db.prepare("SELECT position FROM consumers WHERE name = 'scripted'").get() as { position: number } | undefined;
    const dead = db.prepare('SELECT COUNT(*) AS n FROM dead_letters').get() as { n: number };
    db.close();
    expect(sink.calls).to.equal(1);
    expect(position?.position ?? 0).to.equal(0);
    expect(dead.n).to.equal(0);
  });

  it('dead letters keep the attempts: a batch refused for good after two retries, and records the backend refused, each with theirs', async () => {
    const { bus, metrics, path } = await setup(7);
    const sink = scriptedSink((call, batch) => {
      if (call <= 2) return retryable('http_503');
      if (call === 3) return permanent('http_400');
      return { status: 'partial', refused: [{ record: batch[0]!, reason: 'retries_exhausted:timeout', attempts: 6 }] };
    });
    const handle = startSinkConsumer({ ...passThroughDeps(sink.name), bus, sink: guarded(sink, metrics, worker()), config: worker(), logger: silentLogger, metrics });
    await eventually(async () => ((await metricValue(metrics, 'qss_forwarder_sink_dead_lettered_total', { sink: 'scripted', reason: 'retries_exhausted:timeout' })) === 1 ? true : undefined));
    await handle.stop(100);
    await bus.close();
    const db = new Database(path, { readonly: true });
    const dead = db.prepare('SELECT CAST(body AS TEXT) AS body, reason, attempts FROM dead_letters ORDER BY id').all() as { body: string; reason: string; attempts: number }[];
    db.close();
    expect(dead).to.deep.equal([
      ...Array.from({ length: 5 }, (_, i) => ({ body: `{"i":${i}}`, reason: 'http_400', attempts: 3 })),
      { body: '{"i":5}', reason: 'retries_exhausted:timeout', attempts: 6 },
    ]);
  });
});
