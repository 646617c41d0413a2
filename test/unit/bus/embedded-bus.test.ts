import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Bus, BusRecord } from '../../../src/bus/bus.ts';
import { createEmbeddedBus } from '../../../src/bus/embedded-bus.ts';
import type { EmbeddedBusConfig } from '../../../src/bus/embedded-bus-config.ts';
import { freshMetrics, metricValue, silentLogger } from '../../support/test-deps.ts';

function config(path: string, over: Partial<EmbeddedBusConfig['retention']> = {}): EmbeddedBusConfig {
  return {
    path,
    max_commit_events: 64,
    poll_interval_ms: 20,
    retention: { interval_ms: 3600000, max_age_hours: 168, max_size_mb: 1024, on_full: 'reject', ...over },
  };
}

const BASE = Date.now();
const meta = (i: number) => ({ app: 'default', event: 'meeting.participant_qos', accountId: 'acc', instanceKey: `m${i % 3}`, receivedAt: BASE + i, requestId: `r${i}` });

/** Consumes until `count` records were seen, committing them; takes at most `limit` in all. */
function collect(bus: Bus, name: string, count: number, options: { limit?: number } = {}) {
  const seen: BusRecord[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  if (count === 0) finish();
  const handle = bus.consume(name, async (batch) => {
    const n = Math.min(batch.length, (options.limit ?? Infinity) - seen.length);
    seen.push(...batch.slice(0, n));
    if (seen.length >= count) finish();
    return n;
  }, { maxBatchEvents: 10 });
  return { seen, finished, handle };
}

describe('embedded bus', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'qssf-bus-'))));

  it('groups concurrent publishes into shared transactions and keeps bytes and metadata', async () => {
    const metrics = freshMetrics();
    const bus = createEmbeddedBus({ config: config(join(dir, 'bus.sqlite')), logger: silentLogger, metrics });
    const bodies = Array.from({ length: 200 }, (_, i) => Buffer.from(`{"event":"x","i":${i},"utf8":"é✓"}`));
    const outcomes = await Promise.all(bodies.map((body, i) => bus.publish({ body, meta: meta(i) })));
    expect(outcomes.every((o) => o.ok)).to.equal(true);
    expect(await metricValue(metrics, 'qss_forwarder_bus_writes_total')).to.equal(200);
    const histogram = (await metrics.registry.getSingleMetricAsString('qss_forwarder_bus_commit_batch_events'));
    expect(Number(/_count (\d+)/.exec(histogram)?.[1])).to.be.lessThan(200); // fewer transactions than events
    const { seen, finished, handle } = collect(bus, 'sink-a', 200);
    await finished;
    await handle.stop(0);
    expect(seen.map((r) => r.body.toString())).to.deep.equal(bodies.map((b) => b.toString()));
    expect(seen[7]!.meta).to.deep.equal({ ...meta(7), trackingId: undefined, targetSink: undefined });
    await bus.close();
  });

  it('each consumer has its own committed position, kept across a reopen', async () => {
    const path = join(dir, 'bus.sqlite');
    let bus = createEmbeddedBus({ config: config(path), logger: silentLogger, metrics: freshMetrics() });
    for (let i = 0; i < 30; i++) await bus.publish({ body: Buffer.from(`{"i":${i}}`), meta: meta(i) });
    const fast = collect(bus, 'fast', 30);
    const slow = collect(bus, 'slow', 12, { limit: 12 });
    await Promise.all([fast.finished, slow.finished]);
    await fast.handle.stop(0);
    await slow.handle.stop(0);
    await bus.close();
    bus = createEmbeddedBus({ config: config(path), logger: silentLogger, metrics: freshMetrics() });
    const fastAgain = collect(bus, 'fast', 0);
    const slowAgain = collect(bus, 'slow', 18);
    await slowAgain.finished;
    await slowAgain.handle.stop(0);
    await fastAgain.handle.stop(0);
    expect(fastAgain.seen).to.have.length(0);
    expect(slow.seen).to.have.length(12);
    expect([...slow.seen, ...slowAgain.seen].map((r) => r.body.toString())).to.deep.equal(Array.from({ length: 30 }, (_, i) => `{"i":${i}}`));
    await bus.close();
  });

  it('a batch the handler gives up on (returns 0) is handed out again', async () => {
    const bus = createEmbeddedBus({ config: config(join(dir, 'bus.sqlite')), logger: silentLogger, metrics: freshMetrics() });
    await bus.publish({ body: Buffer.from('{"a":1}'), meta: meta(1) });
    let calls = 0;
    let done: () => void = () => undefined;
    const finished = new Promise<void>((r) => (done = r));
    const handle = bus.consume('flaky', async (batch) => {
      calls++;
      if (calls < 3) return 0;
      done();
      return batch.length;
    }, { maxBatchEvents: 10 });
    await finished;
    await handle.stop(0);
    expect(calls).to.equal(3);
    await bus.close();
  });

  it('retention deletes only what every active consumer has committed', async () => {
    const path = join(dir, 'bus.sqlite');
    const bus = createEmbeddedBus({ config: { ...config(path), retention: { ...config(path).retention, interval_ms: 100 } }, logger: silentLogger, metrics: freshMetrics() });
    for (let i = 0; i < 10; i++) await bus.publish({ body: Buffer.from('{}'), meta: meta(i) });
    const a = collect(bus, 'a', 10);
    const b = collect(bus, 'b', 4, { limit: 4 });
    await Promise.all([a.finished, b.finished]);
    await new Promise((r) => setTimeout(r, 400));
    const db = new Database(path, { readonly: true });
    const left = db.prepare('SELECT min(seq) AS lo, count(*) AS n FROM events').get() as { lo: number; n: number };
    db.close();
    await b.handle.stop(0);
    await a.handle.stop(0);
    await bus.close();
    expect(left).to.deep.equal({ lo: 5, n: 6 });
  });

  it('max_age deletes undelivered events, and counts them', async () => {
    const metrics = freshMetrics();
    let now = BASE;
    const path = join(dir, 'bus.sqlite');
    const bus = createEmbeddedBus({ config: { ...config(path), retention: { ...config(path).retention, interval_ms: 100, max_age_hours: 1 } }, logger: silentLogger, metrics, now: () => now });
    for (let i = 0; i < 5; i++) await bus.publish({ body: Buffer.from('{}'), meta: { ...meta(i), receivedAt: now } });
    const stuck = bus.consume('stuck', async () => 0, { maxBatchEvents: 1 });
    now += 2 * 3600_000;
    await new Promise((r) => setTimeout(r, 400));
    await stuck.stop(0);
    await bus.close();
    expect(await metricValue(metrics, 'qss_forwarder_bus_dropped_total', { reason: 'max_age' })).to.equal(5);
  });

  it('on_full=reject refuses new events with reason "full" and reports not ready', async () => {
    const bus = createEmbeddedBus({ config: config(join(dir, 'bus.sqlite'), { max_size_mb: 0.01, interval_ms: 100 }), logger: silentLogger, metrics: freshMetrics() });
    const big = Buffer.from(JSON.stringify({ event: 'x', pad: 'y'.repeat(4000) }));
    for (let i = 0; i < 5; i++) await bus.publish({ body: big, meta: meta(i) });
    await new Promise((r) => setTimeout(r, 300));
    expect(bus.health().ready).to.equal(false);
    expect(await bus.publish({ body: big, meta: meta(9) })).to.deep.equal({ ok: false, reason: 'full' });
    await bus.close();
  });

  it('a closed bus refuses with reason "closed"', async () => {
    const bus = createEmbeddedBus({ config: config(join(dir, 'bus.sqlite')), logger: silentLogger, metrics: freshMetrics() });
    await bus.close();
    expect(await bus.publish({ body: Buffer.from('{}'), meta: meta(1) })).to.deep.equal({ ok: false, reason: 'closed' });
  });

  it('dead letters keep the record and why', async () => {
    const path = join(dir, 'bus.sqlite');
    const bus = createEmbeddedBus({ config: config(path), logger: silentLogger, metrics: freshMetrics() });
    await bus.deadLetter({ id: '41', body: Buffer.from('{"x":1}'), meta: meta(41) }, { consumer: 'sink-a', reason: 'http_400', attempts: 1 });
    await bus.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT consumer, reason, attempts, seq, event, CAST(body AS TEXT) AS body FROM dead_letters').get();
    db.close();
    expect(row).to.deep.equal({ consumer: 'sink-a', reason: 'http_400', attempts: 1, seq: 41, event: 'meeting.participant_qos', body: '{"x":1}' });
  });
});
