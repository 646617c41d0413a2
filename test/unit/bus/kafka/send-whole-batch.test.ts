import { expect } from 'chai';
import type { Kafka, Producer, ProducerBatch, ProducerConfig } from 'kafkajs';
import { createWholeBatchProducer, sendWholeBatch } from '../../../../src/bus/kafka/send-whole-batch.ts';

/** A producer that fails its first `failures` sendBatch calls with `error`, recording every batch it was given. */
function producer(failures: number, error: unknown): { p: Producer; calls: ProducerBatch[] } {
  const calls: ProducerBatch[] = [];
  const p = {
    sendBatch: async (batch: ProducerBatch) => {
      calls.push(batch);
      if (calls.length <= failures) throw error;
      return [{ topicName: 't', partition: 0, errorCode: 0 }];
    },
  } as unknown as Producer;
  return { p, calls };
}

const batch: ProducerBatch = { acks: -1, topicMessages: [{ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] }] };
const retriesExceeded = Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: Object.assign(new Error('not leader'), { name: 'KafkaJSProtocolError', type: 'NOT_LEADER_FOR_PARTITION', retriable: true }) });

describe('sendWholeBatch / createWholeBatchProducer', () => {
  it('makes producers that never retry inside kafkajs (its partial retry can drop a partition)', () => {
    let seen: ProducerConfig | undefined;
    const kafka = { producer: (c: ProducerConfig) => ((seen = c), {}) } as unknown as Kafka;
    createWholeBatchProducer(kafka, { idempotent: false, maxInFlightRequests: 1 });
    expect(seen).to.deep.include({ retry: { retries: 0 }, maxInFlightRequests: 1 });
  });

  it('retries a failed send whole: every record of the batch is sent again, not only some', async () => {
    const { p, calls } = producer(2, retriesExceeded);
    await sendWholeBatch(p, batch, 6);
    expect(calls).to.have.length(3);
    for (const c of calls) expect(c).to.deep.equal(batch);
  });

  it('gives up after `attempts` sends, with the last error', async () => {
    const { p, calls } = producer(10, retriesExceeded);
    const err = await sendWholeBatch(p, batch, 2).then(() => undefined, (e: unknown) => e);
    expect(err).to.equal(retriesExceeded);
    expect(calls).to.have.length(2);
  });

  it('does not retry what Kafka refused for good (the caller sets it aside)', async () => {
    const tooLarge = Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' });
    const { p, calls } = producer(10, tooLarge);
    expect(await sendWholeBatch(p, batch, 6).then(() => undefined, (e: unknown) => e)).to.equal(tooLarge);
    expect(calls).to.have.length(1);
  });
});
