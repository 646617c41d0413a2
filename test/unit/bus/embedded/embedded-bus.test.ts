import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Bus, BusRecord } from '../../../../src/bus/bus.ts';
import type { EmbeddedBusConfig } from '../../../../src/bus/embedded/embedded-bus-config.ts';
import { walAutocheckpointPages } from '../../../../src/bus/embedded/embedded-bus.ts';
import { openTestBus, testBusConfig } from '../../../support/embedded-bus.ts';
import { capturingLogger, freshMetrics, metricValue, silentLogger } from '../../../support/test-deps.ts';

function config(path: string, over: Partial<EmbeddedBusConfig['retention']> = {}): EmbeddedBusConfig {
  return testBusConfig(path, { retention: over });
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
    const bus = openTestBus({ config: config(join(dir, 'bus.sqlite')), logger: silentLogger, metrics });
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
    let bus = openTestBus({ config: config(path), logger: silentLogger, metrics: freshMetrics() });
    for (let i = 0; i < 30; i++) await bus.publish({ body: Buffer.from(`{"i":${i}}`), meta: meta(i) });
    const fast = collect(bus, 'fast', 30);
    const slow = collect(bus, 'slow', 12, { limit: 12 });
    await Promise.all([fast.finished, slow.finished]);
    await fast.handle.stop(0);
    await slow.handle.stop(0);
    await bus.close();
    bus = openTestBus({ config: config(path), logger: silentLogger, metrics: freshMetrics() });
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
    const bus = openTestBus({ config: config(join(dir, 'bus.sqlite')), logger: silentLogger, metrics: freshMetrics() });
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
    const bus = openTestBus({ config: { ...config(path), retention: { ...config(path).retention, interval_ms: 100 } }, logger: silentLogger, metrics: freshMetrics() });
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
    const bus = openTestBus({ config: { ...config(path), retention: { ...config(path).retention, interval_ms: 100, max_age_hours: 1 } }, logger: silentLogger, metrics, now: () => now });
    for (let i = 0; i < 5; i++) await bus.publish({ body: Buffer.from('{}'), meta: { ...meta(i), receivedAt: now } });
    const stuck = bus.consume('stuck', async () => 0, { maxBatchEvents: 1 });
    now += 2 * 3600_000;
    await new Promise((r) => setTimeout(r, 400));
    await stuck.stop(0);
    await bus.close();
    expect(await metricValue(metrics, 'qss_forwarder_bus_dropped_total', { reason: 'max_age' })).to.equal(5);
  });

  it('on_full=reject refuses new events with reason "full" and reports not ready', async () => {
    const bus = openTestBus({ config: config(join(dir, 'bus.sqlite'), { max_size_mb: 0.01, interval_ms: 100 }), logger: silentLogger, metrics: freshMetrics() });
    const big = Buffer.from(JSON.stringify({ event: 'x', pad: 'y'.repeat(4000) }));
    for (let i = 0; i < 5; i++) await bus.publish({ body: big, meta: meta(i) });
    await new Promise((r) => setTimeout(r, 300));
    expect(bus.health().ready).to.equal(false);
    expect(await bus.publish({ body: big, meta: meta(9) })).to.deep.equal({ ok: false, reason: 'full' });
    await bus.close();
  });

  it('a closed bus refuses with reason "closed"', async () => {
    const bus = openTestBus({ config: config(join(dir, 'bus.sqlite')), logger: silentLogger, metrics: freshMetrics() });
    await bus.close();
    expect(await bus.publish({ body: Buffer.from('{}'), meta: meta(1) })).to.deep.equal({ ok: false, reason: 'closed' });
  });

  it('dead letters keep the record and why', async () => {
    const path = join(dir, 'bus.sqlite');
    const bus = openTestBus({ config: config(path), logger: silentLogger, metrics: freshMetrics() });
    await bus.deadLetter({ id: '41', body: Buffer.from('{"x":1}'), meta: meta(41) }, { consumer: 'sink-a', reason: 'http_400', attempts: 1 });
    await bus.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT consumer, reason, attempts, seq, event, CAST(body AS TEXT) AS body FROM dead_letters').get();
    db.close();
    expect(row).to.deep.equal({ consumer: 'sink-a', reason: 'http_400', attempts: 1, seq: 41, event: 'meeting.participant_qos', body: '{"x":1}' });
  });

  describe('one owner, every consumer recorded, bounded dead letters, a full disk', () => {
    const pass = () => new Promise((r) => setTimeout(r, 350)); // retention runs every 100 ms here
    const rows = (path: string, sql: string): unknown => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(sql).get();
      } finally {
        db.close();
      }
    };

    it('a second bus on the same file is refused while the first runs, and opens once it is closed', async () => {
      const path = join(dir, 'bus.sqlite');
      const first = openTestBus({ config: config(path), logger: silentLogger, metrics: freshMetrics(), owner: 'serve' });
      const { openEmbeddedBus } = await import('../../../../src/bus/embedded/embedded-bus.ts');
      const second = openEmbeddedBus({ config: config(path), logger: silentLogger, metrics: freshMetrics() });
      expect(second.ok).to.equal(false);
      if (!second.ok) expect(second.problem.message).to.contain(`pid ${process.pid} (serve)`);
      await first.close();
      const third = openTestBus({ config: config(path), logger: silentLogger, metrics: freshMetrics() });
      await third.close();
    });

    it('retention waits for the slowest consumer recorded in the store, also one no process runs now; released after retired_consumer_hours', async () => {
      const path = join(dir, 'bus.sqlite');
      let now = BASE;
      // An earlier run had two sinks: b read 4 of 10.
      let bus = openTestBus({ config: config(path), logger: silentLogger, metrics: freshMetrics(), now: () => now });
      for (let i = 0; i < 10; i++) await bus.publish({ body: Buffer.from('{}'), meta: meta(i) });
      const b = collect(bus, 'b', 4, { limit: 4 });
      await b.finished;
      await b.handle.stop(0);
      await bus.close();
      // This run has only a, which reads everything.
      const { logger, lines } = capturingLogger();
      const metrics = freshMetrics();
      bus = openTestBus({ config: config(path, { interval_ms: 100, retired_consumer_hours: 2 }), logger, metrics, now: () => now });
      const a = collect(bus, 'a', 10);
      await a.finished;
      await pass();
      expect(rows(path, 'SELECT min(seq) AS lo, count(*) AS n FROM events')).to.deep.equal({ lo: 5, n: 6 }); // b's 6 are kept
      expect(await metricValue(metrics, 'qss_forwarder_bus_pending_events', { consumer: 'b' })).to.equal(6);
      expect(lines.some((l) => l.consumer === 'b' && l.undelivered_events === 6 && String(l.msg).includes('keeps events for a sink that is not running'))).to.equal(true);
      now += 3 * 3600_000; // b has not run for 3 h
      await pass();
      expect(rows(path, 'SELECT count(*) AS n FROM events')).to.deep.equal({ n: 0 });
      expect(lines.some((l) => l.consumer === 'b' && l.undelivered_events === 6 && String(l.msg).includes('released the store position'))).to.equal(true);
      expect(await metricValue(metrics, 'qss_forwarder_bus_dropped_total')).to.equal(0); // a got them all
      await a.handle.stop(0);
      await bus.close();
    });

    it('dead letters do not count toward max_size_mb: 24 dead-lettered 60 KB events leave the bus ready and accepting', async () => {
      const path = join(dir, 'bus.sqlite');
      const bus = openTestBus({ config: config(path, { max_size_mb: 1, interval_ms: 100 }), logger: silentLogger, metrics: freshMetrics() });
      const big = Buffer.alloc(60_000, 0x61);
      for (let i = 0; i < 24; i++) await bus.deadLetter({ id: String(i), body: big, meta: meta(i) }, { consumer: 'sink-a', reason: 'http_400', attempts: 1 });
      await pass();
      expect(bus.health()).to.deep.equal({ ready: true, detail: 'ok' });
      expect((await bus.publish({ body: Buffer.from('{}'), meta: meta(99) })).ok).to.equal(true);
      await bus.close();
    });

    it('drop_oldest never drops undelivered events to make room for dead letters, and drops just enough of the oldest at the cap', async () => {
      const path = join(dir, 'bus.sqlite');
      const metrics = freshMetrics();
      const bus = openTestBus({ config: config(path, { max_size_mb: 1, interval_ms: 100, on_full: 'drop_oldest' }), logger: silentLogger, metrics });
      const big = Buffer.alloc(60_000, 0x61);
      for (let i = 0; i < 30; i++) await bus.publish({ body: Buffer.from(`{"i":${i}}`), meta: meta(i) });
      for (let i = 0; i < 24; i++) await bus.deadLetter({ id: String(i), body: big, meta: meta(i) }, { consumer: 'sink-a', reason: 'http_400', attempts: 1 });
      await pass();
      expect(rows(path, 'SELECT count(*) AS n FROM events')).to.deep.equal({ n: 30 });
      expect(await metricValue(metrics, 'qss_forwarder_bus_dropped_total')).to.equal(0);
      // 20 events of 60 KB more: 1.2 MB of events for a 1 MiB cap; the oldest go, the newest stay.
      for (let i = 0; i < 20; i++) await bus.publish({ body: big, meta: meta(100 + i) });
      await pass();
      const dropped = await metricValue(metrics, 'qss_forwarder_bus_dropped_total', { reason: 'max_size' });
      const left = rows(path, 'SELECT count(*) AS n, sum(length(body) + 64) AS bytes, max(received_at) AS newest FROM events') as { n: number; bytes: number; newest: number };
      expect(left.n).to.equal(50 - dropped);
      expect(left.bytes).to.be.at.most(1024 * 1024);
      expect(left.bytes).to.be.greaterThan(1024 * 1024 - 61_000); // not more than needed
      expect(left.newest).to.equal(BASE + 119);
      await bus.close();
    });

    it('dead letters have their own bounds: the oldest over dead_letters.max_size_mb and those older than max_age_hours are deleted, counted and logged', async () => {
      const path = join(dir, 'bus.sqlite');
      let now = BASE;
      const metrics = freshMetrics();
      const { logger, lines } = capturingLogger();
      const bus = openTestBus({ config: testBusConfig(path, { retention: { interval_ms: 100 }, dead_letters: { max_size_mb: 0.2, max_age_hours: 1 } }), logger, metrics, now: () => now });
      const big = Buffer.alloc(60_000, 0x61);
      for (let i = 0; i < 10; i++) await bus.deadLetter({ id: String(i), body: big, meta: meta(i) }, { consumer: 'sink-a', reason: 'http_400', attempts: 1 });
      await pass();
      expect(rows(path, 'SELECT count(*) AS n, min(seq) AS oldest FROM dead_letters')).to.deep.equal({ n: 3, oldest: 7 });
      expect(await metricValue(metrics, 'qss_forwarder_bus_dead_letters_trimmed_total', { reason: 'max_size' })).to.equal(7);
      expect(await metricValue(metrics, 'qss_forwarder_bus_dead_letters')).to.equal(3);
      now += 2 * 3600_000;
      await pass();
      expect(rows(path, 'SELECT count(*) AS n FROM dead_letters')).to.deep.equal({ n: 0 });
      expect(await metricValue(metrics, 'qss_forwarder_bus_dead_letters_trimmed_total', { reason: 'max_age' })).to.equal(3);
      expect(lines.filter((l) => String(l.msg).includes('dead letters')).length).to.equal(2);
      await bus.close();
    });

    it('refuses new events (disk_low, not ready) while less than min_free_disk_mb is free, and accepts again by itself once space is back', async () => {
      const path = join(dir, 'bus.sqlite');
      let free = 100 * 1024 * 1024;
      const metrics = freshMetrics();
      const bus = openTestBus({ config: testBusConfig(path, { min_free_disk_mb: 64, retention: { interval_ms: 100 } }), logger: silentLogger, metrics, freeDiskBytes: () => free });
      expect((await bus.publish({ body: Buffer.from('{}'), meta: meta(1) })).ok).to.equal(true);
      free = 10 * 1024 * 1024;
      await pass();
      expect(await bus.publish({ body: Buffer.from('{}'), meta: meta(2) })).to.deep.equal({ ok: false, reason: 'disk_low' });
      const health = bus.health();
      expect(health.ready).to.equal(false);
      expect(health.detail).to.match(/^disk almost full: \d+ MiB free on the filesystem of .*, less than bus\.embedded\.min_free_disk_mb \(64\)$/);
      expect(await metricValue(metrics, 'qss_forwarder_bus_write_failures_total', { reason: 'disk_low' })).to.equal(1);
      free = 66 * 1024 * 1024; // above 64, not yet 10 % above: a few pages given back do not flip readiness
      await pass();
      expect(bus.health().ready).to.equal(false);
      free = 100 * 1024 * 1024;
      await pass();
      expect(bus.health().ready).to.equal(true);
      expect((await bus.publish({ body: Buffer.from('{}'), meta: meta(3) })).ok).to.equal(true);
      await bus.close();
    });
  });

  it('checkpoints the WAL before it holds a quarter of the disk headroom (16 to 1000 pages)', () => {
    const MB = 1024 * 1024;
    expect([1 * MB, 256 * MB, 8 * MB, 10_000].map((b) => walAutocheckpointPages(b, 4096))).to.deep.equal([64, 1000, 512, 16]);
  });
});
