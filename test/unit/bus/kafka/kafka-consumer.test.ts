// consumeKafka's supervisor around kafkajs, with a fake kafkajs consumer at the seam: a stop that
// comes while the consumer is still connecting or joining its group must still end, and must
// disconnect only after run() resolved (a disconnect during kafkajs's group join returns at once
// and leaves its runner fetching for ever — kafkajs#1639). The real broker path is covered by the
// Kafka integration tests and the soak runs.
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { consumeKafka } from '../../../../src/bus/kafka/kafka-consumer.ts';
import type { KafkaBusConfig } from '../../../../src/bus/kafka/kafka-bus-config.ts';
import { metaToHeaders } from '../../../../src/bus/kafka/kafka-record.ts';
import { freshMetrics, metricValue, silentLogger } from '../../../support/test-deps.ts';

type EachBatch = (payload: unknown) => Promise<void>;

function fakeKafka(): { kafka: Kafka; calls: string[]; release: () => void; eachBatch: () => EachBatch | undefined; emit: (event: string, payload: unknown) => void } {
  const calls: string[] = [];
  const listeners = new Map<string, ((e: { payload: unknown }) => void)[]>();
  let eachBatch: EachBatch | undefined;
  let release = (): void => undefined;
  const joined = new Promise<void>((resolve) => (release = resolve));
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (event: string, listener: (e: { payload: unknown }) => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () => undefined;
    },
    connect: async () => void calls.push('connect'),
    subscribe: async () => void calls.push('subscribe'),
    run: async (options: { eachBatch: EachBatch }) => {
      eachBatch = options.eachBatch;
      calls.push('run');
      await joined; // the group join (slow in a rebalance)
      calls.push('run resolved');
    },
    disconnect: async () => void calls.push('disconnect'),
  };
  const emit = (event: string, payload: unknown): void => {
    for (const l of listeners.get(event) ?? []) l({ payload });
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, calls, release: () => release(), eachBatch: () => eachBatch, emit };
}

const config = { topic: 't', group_prefix: 'g', consumer: { session_timeout_ms: 30000, heartbeat_interval_ms: 3000, partitions_consumed_concurrently: 1, from_beginning: true } } as KafkaBusConfig;
const within = <T>(p: Promise<T>, ms: number): Promise<T | 'still waiting'> => Promise.race([p, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('consumeKafka: stopping', () => {
  const deps = (kafka: Kafka) => ({ kafka, config, logger: silentLogger, metrics: freshMetrics(), deadLetter: async () => undefined });

  it('ends a stop that came while the consumer was still joining its group, disconnecting after run() resolved', async () => {
    const { kafka, calls, release } = fakeKafka();
    const handle = consumeKafka(deps(kafka), 'sink', async () => 0, { maxBatchEvents: 10 });
    await until(() => calls.includes('run'));
    const stopping = handle.stop(1000);
    expect(await within(stopping.then(() => 'stopped'), 50)).to.equal('still waiting'); // run() has not resolved yet
    release();
    expect(await within(stopping.then(() => 'stopped'), 2000)).to.equal('stopped');
    expect(calls.indexOf('disconnect')).to.be.above(calls.indexOf('run resolved'));
  });

  it('ends a stop while consuming, with one disconnect', async () => {
    const { kafka, calls, release } = fakeKafka();
    release();
    const handle = consumeKafka(deps(kafka), 'sink', async () => 0, { maxBatchEvents: 10 });
    await until(() => calls.includes('run resolved'));
    expect(await within(handle.stop(1000).then(() => 'stopped'), 2000)).to.equal('stopped');
    expect(calls.filter((c) => c === 'disconnect')).to.have.length(1);
  });
});

describe('consumeKafka: consumer lag', () => {
  it('counts the records not yet done: the whole batch in hand, then what follows the last one delivered', async () => {
    const { kafka, calls, release, eachBatch } = fakeKafka();
    release();
    const metrics = freshMetrics();
    const lags: number[] = [];
    const lag = (): Promise<number> => metricValue(metrics, 'qss_forwarder_consumer_lag_records', { sink: 'sink', partition: '0' });
    // The sink takes each chunk of 10 in turn, and notes the lag it sees meanwhile; it stops short on the third.
    let chunk = 0;
    const handler = async (records: readonly unknown[]): Promise<number> => {
      lags.push(await lag());
      return ++chunk === 3 ? 4 : records.length;
    };
    const handle = consumeKafka({ kafka, config, logger: silentLogger, metrics, deadLetter: async () => undefined }, 'sink', handler, { maxBatchEvents: 10 });
    await until(() => calls.includes('run resolved'));
    const headers = metaToHeaders({ app: 'default', event: 'meeting.participant_qos', receivedAt: 1 });
    // Offsets 100–129 fetched; the partition ends at 150 (high watermark).
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: null, value: Buffer.from('{}'), headers, offset: String(100 + i) }));
    const batch = { topic: 't', partition: 0, highWatermark: '150', messages, firstOffset: () => '100', offsetLag: () => '20' };
    const noop = async (): Promise<void> => undefined;
    await eachBatch()!({ batch, resolveOffset: () => undefined, heartbeat: noop, commitOffsetsIfNecessary: noop, uncommittedOffsets: () => ({}), isRunning: () => true, isStale: () => false });
    expect(lags).to.deep.equal([50, 40, 30]); // 150 − 100, then after offsets 109 and 119 were delivered
    expect(await lag()).to.equal(150 - 124); // the third chunk stopped after 120–123
    await handle.stop(1000);
  });
});

describe('consumeKafka: consumer lag after a rebalance', () => {
  it('stops reporting the lag of a partition that went to another member', async () => {
    const { kafka, calls, release, eachBatch, emit } = fakeKafka();
    release();
    const metrics = freshMetrics();
    const handle = consumeKafka({ kafka, config, logger: silentLogger, metrics, deadLetter: async () => undefined }, 'sink', async () => 0, { maxBatchEvents: 10 });
    await until(() => calls.includes('run resolved'));
    emit('consumer.group_join', { memberAssignment: { t: [0, 1] } });
    const headers = metaToHeaders({ app: 'default', event: 'meeting.participant_qos', receivedAt: 1 });
    const noop = async (): Promise<void> => undefined;
    for (const partition of [0, 1]) {
      const batch = { topic: 't', partition, highWatermark: '10', messages: [{ key: null, value: Buffer.from('{}'), headers, offset: '5' }], firstOffset: () => '5', offsetLag: () => '4' };
      await eachBatch()!({ batch, resolveOffset: () => undefined, heartbeat: noop, commitOffsetsIfNecessary: noop, uncommittedOffsets: () => ({}), isRunning: () => true, isStale: () => false });
    }
    const lag = (partition: string): Promise<number> => metricValue(metrics, 'qss_forwarder_consumer_lag_records', { sink: 'sink', partition });
    expect([await lag('0'), await lag('1')]).to.deep.equal([5, 5]); // the sink took none of them
    emit('consumer.group_join', { memberAssignment: { t: [1, 2] } });
    const series = ((await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'qss_forwarder_consumer_lag_records')?.values ?? []).map((v) => v.labels.partition);
    expect(series).to.deep.equal(['1']);
    await handle.stop(1000);
  });
});
