// The Kafka ingress's fail-over between publishing straight to Kafka and spooling locally, with a
// fake client at the seam (kafka-client.ts) and a real embedded spool: direct → spooling when a
// send fails or is not acknowledged within ack_timeout_ms; everything after is spooled, in order;
// the drain sends the spool in order and publishing is direct again once it is empty.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusHealth, PublishOutcome, PublishRequest } from '../../../../src/bus/bus.ts';
import type { EmbeddedBus } from '../../../../src/bus/embedded/embedded-bus.ts';
import type { KafkaBusConfig } from '../../../../src/bus/kafka/kafka-bus-config.ts';
import type { BusProducer, KafkaClient } from '../../../../src/bus/kafka/kafka-client.ts';
import { createKafkaPublisher } from '../../../../src/bus/kafka/kafka-publisher.ts';
import type { OutgoingMessage } from '../../../../src/bus/kafka/kafka-record.ts';
import { createSpoolFailover, SPOOL_DRAIN_CONSUMER } from '../../../../src/bus/kafka/spool-failover.ts';
import { openTestBus, testBusConfig } from '../../../support/embedded-bus.ts';
import { freshMetrics, metricValue, silentLogger } from '../../../support/test-deps.ts';

/** A producer whose sends the test answers: `mode` says how the next ones go. */
function fakeProducer() {
  const sent: string[] = []; // the bodies Kafka acknowledged, in order
  const state = { mode: 'ack' as 'ack' | 'fail' | 'hang', hung: [] as (() => void)[] };
  const producer: BusProducer = {
    connect: async () => undefined,
    async send(messages: readonly OutgoingMessage[]) {
      if (state.mode === 'fail') throw new Error('broker down');
      if (state.mode === 'hang') await new Promise<void>((resolve) => state.hung.push(resolve));
      sent.push(...messages.map((m) => m.value.toString()));
    },
    disconnect: async () => undefined,
    onDisconnect: () => undefined,
  };
  const client: KafkaClient = { name: 'kafkajs', producer: () => producer, consume: () => ({ done: Promise.resolve(), stop: async () => undefined }) };
  return { client, sent, state };
}

const config = (over: Partial<KafkaBusConfig> = {}): KafkaBusConfig =>
  ({ topic: 'qss', acks: -1, compression: 'none', idempotent: false, linger_ms: 1, max_batch_records: 100, max_batch_bytes: 1 << 20, ack_timeout_ms: 200, ...over }) as KafkaBusConfig;

const request = (i: number): PublishRequest => ({ body: Buffer.from(`e${i}`), meta: { app: 'default', event: 'x', receivedAt: Date.now(), instanceKey: 'm' } });

/** Waits (without a deadline of its own: mocha's timeout) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('Kafka spool fail-over (fake producer, real spool)', () => {
  let spool: EmbeddedBus;
  let metrics: ReturnType<typeof freshMetrics>;
  beforeEach(() => {
    metrics = freshMetrics();
    spool = openTestBus({ config: testBusConfig(join(mkdtempSync(join(tmpdir(), 'qssf-spool-')), 'spool.sqlite')), logger: silentLogger, metrics });
  });

  const start = (fake: ReturnType<typeof fakeProducer>, over: Partial<KafkaBusConfig> = {}) => createKafkaPublisher({ client: fake.client, config: config(over), spool, logger: silentLogger, metrics });

  it('direct: each event is answered once Kafka acknowledged it; nothing is spooled; healthy', async () => {
    const fake = fakeProducer();
    const publisher = await start(fake);
    const outcomes = await Promise.all([1, 2, 3].map((i) => publisher.publish(request(i))));
    expect(outcomes).to.deep.equal([1, 2, 3].map(() => ({ ok: true, id: 'kafka' })));
    expect(fake.sent).to.deep.equal(['e1', 'e2', 'e3']);
    expect(spool.backlog(SPOOL_DRAIN_CONSUMER).events).to.equal(0);
    expect(publisher.health()).to.deep.equal({ ready: true, detail: 'ok' });
    await publisher.close(0);
  });

  it('a failed send spools that batch and every later event, in order; the drain sends them in order and publishing is direct again', async () => {
    const fake = fakeProducer();
    const publisher = await start(fake);
    fake.state.mode = 'fail';
    const first = await Promise.all([1, 2].map((i) => publisher.publish(request(i))));
    expect(first.every((o) => o.ok && o.id !== 'kafka')).to.equal(true); // the spool's ids: accepted locally
    // Spooling now: these go straight to the spool, behind the failed batch, even though nothing was sent.
    for (const i of [3, 4]) expect((await publisher.publish(request(i))).ok).to.equal(true);
    const spooling = publisher.health();
    expect(spooling.ready).to.equal(true);
    expect(spooling.degraded).to.equal(true);
    expect(spooling.detail).to.match(/^spooling: [0-9]+ events in the local spool until Kafka is back$/);
    expect(await metricValue(metrics, 'qss_forwarder_spool_writes_total', { reason: 'kafka_error' })).to.equal(2);
    expect(await metricValue(metrics, 'qss_forwarder_spool_writes_total', { reason: 'spooling' })).to.equal(2);
    expect(fake.sent).to.deep.equal([]);
    fake.state.mode = 'ack';
    await until(() => publisher.health().degraded !== true);
    expect(fake.sent).to.deep.equal(['e1', 'e2', 'e3', 'e4']);
    expect(publisher.health()).to.deep.equal({ ready: true, detail: 'ok' });
    expect(await publisher.publish(request(5))).to.deep.equal({ ok: true, id: 'kafka' });
    expect(fake.sent.at(-1)).to.equal('e5');
    await publisher.close(0);
  });

  it('a send not acknowledged within ack_timeout_ms is spooled (kafka_slow); its late acknowledgement is counted, not answered again', async () => {
    const fake = fakeProducer();
    const publisher = await start(fake, { ack_timeout_ms: 50 });
    fake.state.mode = 'hang';
    const outcome = await publisher.publish(request(1));
    expect(outcome.ok && outcome.id !== 'kafka').to.equal(true);
    expect(await metricValue(metrics, 'qss_forwarder_spool_writes_total', { reason: 'kafka_slow' })).to.equal(1);
    expect(publisher.health().degraded).to.equal(true);
    fake.state.mode = 'ack';
    fake.state.hung.splice(0).forEach((ack) => ack()); // Kafka answers the first send after all
    await until(() => publisher.health().degraded !== true);
    expect(await metricValue(metrics, 'qss_forwarder_kafka_late_acks_total')).to.equal(1);
    expect(fake.sent).to.deep.equal(['e1', 'e1']); // at least once: the late one, then the drain's
    await publisher.close(0);
  });

  it('a spool that holds events at start: spooling until they are drained', async () => {
    for (const i of [1, 2]) await spool.publish(request(i));
    const fake = fakeProducer();
    fake.state.mode = 'fail';
    const publisher = await start(fake);
    expect(publisher.health().degraded).to.equal(true);
    expect((await publisher.publish(request(3))).ok).to.equal(true);
    fake.state.mode = 'ack';
    await until(() => publisher.health().degraded !== true);
    expect(fake.sent).to.deep.equal(['e1', 'e2', 'e3']);
    await publisher.close(0);
  });
});

describe('spool fail-over state machine (fake spool)', () => {
  /** A spool whose writes the test settles, with a backlog it sets. */
  function fakeSpool() {
    const writes: ((o: PublishOutcome) => void)[] = [];
    const state = { backlog: 0, health: { ready: true, detail: 'ok' } as BusHealth };
    const spool = {
      publish: () => new Promise<PublishOutcome>((resolve) => writes.push(resolve)),
      backlog: () => ({ events: state.backlog, oldestReceivedAt: undefined }),
      health: () => state.health,
    } as unknown as EmbeddedBus;
    return { spool, writes, state };
  }

  it('stays spooling while a spool write is on its way, even when the drain emptied the spool; then direct', async () => {
    const { spool, writes, state } = fakeSpool();
    const queued = [{ request: request(1), resolve: () => undefined }];
    const failover = createSpoolFailover({ spool, log: silentLogger, metrics: freshMetrics(), now: Date.now, takeQueued: () => queued.splice(0) });
    expect(failover.mode()).to.equal('direct');
    failover.enterSpooling('kafka_error');
    expect(failover.mode()).to.equal('spooling');
    expect(writes).to.have.length(1); // what was queued for Kafka went to the spool
    expect(queued).to.have.length(0);
    failover.drained(0);
    expect(failover.mode()).to.equal('spooling');
    writes[0]!({ ok: true, id: '1' });
    await new Promise((r) => setImmediate(r));
    state.backlog = 1;
    failover.drained(0);
    expect(failover.mode(), 'one record left').to.equal('spooling');
    failover.drained(1);
    expect(failover.mode()).to.equal('direct');
  });

  it('health: the spool not ready is the bus not ready, whatever the mode', () => {
    const { spool, state } = fakeSpool();
    const failover = createSpoolFailover({ spool, log: silentLogger, metrics: freshMetrics(), now: Date.now, takeQueued: () => [] });
    state.health = { ready: false, detail: 'disk low' };
    expect(failover.health()).to.deep.equal({ ready: false, detail: 'Kafka spool: disk low' });
    failover.enterSpooling('kafka_unavailable');
    expect(failover.health()).to.deep.equal({ ready: false, detail: 'Kafka spool: disk low' });
    state.health = { ready: true, detail: 'ok' };
    state.backlog = 7;
    expect(failover.health()).to.deep.equal({ ready: true, degraded: true, detail: 'spooling: 7 events in the local spool until Kafka is back' });
  });
});
