// consumePlatformatic's queues and commits over @platformatic/kafka's one merged stream, with a fake
// Consumer and stream at the seam (deps.createConsumer). What the real broker shows is in the Kafka
// integration tests run with QSS_TEST_KAFKA_CLIENT=platformatic and in bench:soak; these pin the
// adapter's own bookkeeping, including the stall the kill-worker soak found.
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import type { Consumer } from '@platformatic/kafka';
import type { BatchHandler, BusRecord } from '../../../../src/bus/bus.ts';
import type { KafkaBusConfig } from '../../../../src/bus/kafka/kafka-bus-config.ts';
import { metaToHeaders } from '../../../../src/bus/kafka/kafka-record.ts';
import { consumePlatformatic } from '../../../../src/bus/kafka/platformatic-consumer.ts';
import { freshMetrics, silentLogger } from '../../../support/test-deps.ts';

const config = {
  topic: 't',
  group_prefix: 'g',
  brokers: ['a:9092'],
  client_id: 'x',
  connection_timeout_ms: 1000,
  request_timeout_ms: 1000,
  consumer: { session_timeout_ms: 6000, heartbeat_interval_ms: 500, partitions_consumed_concurrently: 1, from_beginning: true },
} as KafkaBusConfig;

class FakeStream extends EventEmitter {
  paused = false;
  isPaused(): boolean {
    return this.paused;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function fake(): { consumer: Consumer<string, Buffer, string, string>; stream: FakeStream; commits: { partition: number; offset: bigint }[]; emitter: EventEmitter; message: (partition: number, offset: number) => unknown } {
  const emitter = new EventEmitter();
  const stream = new FakeStream();
  const commits: { partition: number; offset: bigint }[] = [];
  const consumer = Object.assign(emitter, {
    generationId: 1,
    assignments: [{ topic: 't', partitions: [0, 1] }],
    consume: async () => stream,
    commit: async ({ offsets }: { offsets: { partition: number; offset: bigint }[] }) => void commits.push(...offsets.map(({ partition, offset }) => ({ partition, offset }))),
    listOffsets: async () => new Map([['t', [0n, 0n]]]),
    listCommittedOffsets: async () => new Map([['t', [-1n, -1n]]]),
    close: (_force: boolean, cb: (err?: Error) => void) => cb(),
  }) as unknown as Consumer<string, Buffer, string, string>;
  const headers = new Map(Object.entries(metaToHeaders({ app: 'default', event: 'meeting.participant_qos', receivedAt: 1 })));
  const message = (partition: number, offset: number): unknown => ({ topic: 't', partition, offset: BigInt(offset), key: 'k', value: Buffer.from(`{"n":${offset}}`), headers, metadata: {} });
  return { consumer, stream, commits, emitter, message };
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`not met: ${what}`);
};

describe('consumePlatformatic', () => {
  it('delivers each partition in order in batches of maxBatchEvents and commits the next offset to read', async () => {
    const f = fake();
    const seen: string[] = [];
    const handler: BatchHandler = async (batch) => (seen.push(...batch.map((r: BusRecord) => r.id)), batch.length);
    const handle = consumePlatformatic({ config, logger: silentLogger, metrics: freshMetrics(), deadLetter: async () => undefined, onOffsetReset: () => undefined, createConsumer: () => f.consumer }, 's', handler, { maxBatchEvents: 2 });
    await until(() => f.stream.listenerCount('data') > 0, 'the stream is read');
    for (let o = 0; o < 5; o++) f.stream.emit('data', f.message(0, o));
    await until(() => seen.length === 5, 'five delivered');
    expect(seen).to.deep.equal(['t/0/0', 't/0/1', 't/0/2', 't/0/3', 't/0/4']);
    expect(f.commits.at(-1)).to.deep.equal({ partition: 0, offset: 5n });
    // Read again from the committed offset after a rebalance that kept the partition: passed by.
    for (let o = 3; o < 6; o++) f.stream.emit('data', f.message(0, o));
    await until(() => seen.length === 6, 'the new one delivered');
    expect(seen.at(-1)).to.equal('t/0/5');
    await handle.stop(100);
  });

  it('a rebalance that takes away the partitions a paused stream was full of resumes it (else the new ones are never read)', async () => {
    const f = fake();
    let release = (): void => undefined;
    const blocked = new Promise<void>((r) => (release = r));
    const handler: BatchHandler = async (batch, { stop }) => {
      await Promise.race([blocked, new Promise((r) => stop.addEventListener('abort', r, { once: true }))]);
      return stop.aborted ? 0 : batch.length;
    };
    const handle = consumePlatformatic({ config, logger: silentLogger, metrics: freshMetrics(), deadLetter: async () => undefined, onOffsetReset: () => undefined, createConsumer: () => f.consumer }, 's', handler, { maxBatchEvents: 1 });
    await until(() => f.stream.listenerCount('data') > 0, 'the stream is read');
    for (let o = 0; o < 1100; o++) f.stream.emit('data', f.message(0, o));
    await until(() => f.stream.paused, 'paused on a full buffer');
    f.emitter.emit('consumer:group:join', { generationId: 2, assignments: [{ topic: 't', partitions: [1] }] });
    expect(f.stream.paused, 'resumed').to.equal(false);
    expect(f.commits, 'nothing committed for the partition taken away').to.deep.equal([]);
    release();
    await handle.stop(100);
  });
});
