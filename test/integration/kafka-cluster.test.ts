// The Kafka test fixture is a real Apache Kafka: kafkajs produces, consumes through a consumer
// group, and sees the broker killed and started again.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { startKafka, type KafkaCluster } from '../support/start-kafka.ts';

const TOPIC = 'fixture.test';
const MESSAGES = 100;
const KEYS = 10;

interface Received {
  key: string;
  value: string;
  partition: number;
}

/** Polls `attempt` until it resolves, or rethrows its last error once `deadlineMs` has passed. */
async function retryUntil<T>(deadlineMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe('Kafka test fixture (a real broker)', function () {
  this.timeout(120000);
  // Marks this run's messages.
  const run = randomUUID();
  let kafka: KafkaCluster;
  let client: Kafka;
  let fragileClient: Kafka;
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];

  const newProducer = async (from: Kafka, retries?: number): Promise<Producer> => {
    const producer = from.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: false,
      ...(retries === undefined ? {} : { retry: { retries } }),
    });
    producers.push(producer);
    await producer.connect();
    return producer;
  };

  before(async function () {
    this.timeout(180000);
    kafka = await startKafka({ topics: [{ name: TOPIC, partitions: 3 }] });
    client = new Kafka({ clientId: 'kafka-fixture-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    fragileClient = new Kafka({ clientId: 'kafka-fixture-test-fragile', brokers: kafka.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  });

  after(async function () {
    for (const c of [...consumers, ...producers]) await c.disconnect().catch(() => {});
    await kafka?.stop();
  });

  it('delivers keyed messages through a consumer group, per-key order kept on one partition', async function () {
    const producer = await newProducer(client);
    // Four sends of 25, each acknowledged by all in-sync replicas before the next.
    for (let batch = 0; batch < MESSAGES; batch += 25) {
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: Array.from({ length: 25 }, (_, j) => {
          const i = batch + j;
          return { key: `key-${i % KEYS}`, value: `${run}:${i}` };
        }),
      });
    }

    const received: Received[] = [];
    // A short fetch wait keeps disconnect() quick: it waits for the fetch in flight.
    const consumer = client.consumer({ groupId: `fixture-test-${run}`, maxWaitTimeInMs: 500 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    const all = new Promise<void>((resolveAll) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const value = message.value?.toString() ?? '';
          received.push({ key: message.key?.toString() ?? '', value, partition });
          if (received.length === MESSAGES) resolveAll();
        },
      });
    });
    await all;
    await consumer.disconnect();

    const sent = Array.from({ length: MESSAGES }, (_, i) => ({ key: `key-${i % KEYS}`, value: `${run}:${i}` }));
    expect(received.map(({ key, value }) => ({ key, value })).sort((a, b) => a.value.localeCompare(b.value))).to.deep.equal(
      [...sent].sort((a, b) => a.value.localeCompare(b.value)),
    );
    for (let k = 0; k < KEYS; k++) {
      const ofKey = received.filter((m) => m.key === `key-${k}`);
      expect(new Set(ofKey.map((m) => m.partition)).size, `partitions of key-${k}`).to.equal(1);
      expect(ofKey.map((m) => m.value), `order of key-${k}`).to.deep.equal(sent.filter((m) => m.key === `key-${k}`).map((m) => m.value));
    }
    expect(new Set(received.map((m) => m.partition)).size, 'keys spread over partitions').to.be.greaterThan(1);
  });

  it('fails sends while the broker is killed, and sends again once it is started again', async function () {
    // No retries: with every broker down the send must fail fast. The producer's own `retry` only
    // covers the produce request; connecting and metadata use the client's, so both are 0 here
    // (with the client default of 5 retries the send fails only after 8-15 s of back-off).
    const producer = await newProducer(fragileClient, 0);
    const probe = (n: number) => producer.send({ topic: TOPIC, acks: -1, timeout: 1000, messages: [{ key: 'probe', value: `${run}:probe-${n}` }] });
    await probe(0);

    await kafka.allDown();
    const failure = await probe(1).then(
      () => undefined,
      (err: Error) => err,
    );
    // A killed broker's port refuses connections: kafkajs reports "Connection error: connect ECONNREFUSED".
    expect(failure, 'send while all brokers are down').to.be.instanceOf(Error);

    await kafka.allUp();
    const metadata = await retryUntil(60_000, () => probe(2));
    expect(metadata[0]?.errorCode).to.equal(0);
  });
});
