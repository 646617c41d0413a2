import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BusRecord } from '../../../src/bus/bus.ts';
import { openTestBus, testBusConfig } from '../../support/embedded-bus.ts';
import { permanent, retryable, SUCCESS } from '../../../src/delivery/delivery-result.ts';
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
    const handle = startSinkConsumer({ ...passThroughDeps(sink.name), bus, sink, config: worker(), logger: silentLogger, metrics });
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
    const handle = startSinkConsumer({ ...passThroughDeps(sink.name), bus, sink, config: worker(), logger: silentLogger, metrics });
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
    const handle = startSinkConsumer({ ...passThroughDeps(sink.name), bus, sink, config: worker({ max_attempts: 4 }), logger: silentLogger, metrics });
    await eventually(async () => ((await metricValue(metrics, 'qss_forwarder_sink_dead_lettered_total', { reason: 'retries_exhausted:timeout' })) === 3 ? true : undefined));
    await handle.stop(100);
    await bus.close();
    expect(sink.calls).to.equal(4);
  });

  it('stop() abandons a batch stuck in backoff; it is delivered after a restart', async () => {
    const { bus, metrics, path } = await setup(2);
    const failing = scriptedSink(() => retryable('down'));
    const cfg = { ...worker(), retry: { initial_backoff_ms: 60000, max_backoff_ms: 60000, max_attempts: 0 } };
    const handle = startSinkConsumer({ ...passThroughDeps('scripted'), bus, sink: failing, config: cfg, logger: silentLogger, metrics, random: () => 0.99 });
    await eventually(() => (failing.calls >= 1 ? true : undefined));
    await handle.stop(50);
    await bus.close();
    const bus2 = openTestBus({ config: testBusConfig(path, { poll_interval_ms: 10, retention: { max_age_hours: 1, max_size_mb: 100 } }), logger: silentLogger, metrics: freshMetrics() });
    const ok = scriptedSink(() => SUCCESS);
    const handle2 = startSinkConsumer({ ...passThroughDeps('scripted'), bus: bus2, sink: ok, config: worker(), logger: silentLogger, metrics: freshMetrics() });
    await eventually(() => (ok.received.length === 2 ? true : undefined));
    await handle2.stop(100);
    await bus2.close();
    expect(ok.received).to.deep.equal(['{"i":0}', '{"i":1}']);
  });
});
