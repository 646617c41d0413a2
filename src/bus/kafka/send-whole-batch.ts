// kafkajs 2.2.4 can lose acknowledged records when it retries a send by itself. Its retry re-sends
// only to the brokers that had not answered yet (src/producer/sendMessages.js, responsePerBroker):
// when a partition's leader fails and its leadership moves to a broker that had already answered
// for its own partitions, that partition's records are never sent again — and the send resolves as
// if they had been written. Found by test/integration/kafka-failover.test.ts: the leader SIGSTOPped
// in a 3-node cluster, 1-2 acknowledged events of ~1,500 never reached the topic.
//
// So the producers of the bus never retry by themselves (retry.retries 0): a send fails as a whole,
// and it is retried whole — by the caller (the ingress spools and drains), or here — which can only
// duplicate a record (at-least-once, as Kafka is anyway), never drop one.
import type { Kafka, Producer, ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import { backoffMs, sleep } from '../../retry/backoff.ts';
import { isKafkaRefusal } from './is-kafka-refusal.ts';

/** A producer whose sends fail whole instead of retrying part of a batch (see above). */
export function createWholeBatchProducer(kafka: Kafka, options: Omit<ProducerConfig, 'retry'> = {}): Producer {
  return kafka.producer({ ...options, retry: { retries: 0 } });
}

/**
 * A send, retried whole (up to `attempts` sends) unless Kafka refused the records for good. (With
 * retries 0, kafkajs reports every failure as KafkaJSNumberOfRetriesExceeded, not retriable: what
 * counts is the broker's own error inside it; @platformatic/kafka fails a produce whole by itself.)
 */
export async function retryWhole<T>(send: () => Promise<T>, attempts = 6, signal: AbortSignal = new AbortController().signal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= attempts || isKafkaRefusal(err) || signal.aborted) throw err;
      await sleep(backoffMs(attempt, { initial_backoff_ms: 300, max_backoff_ms: 5000 }, Math.random()), signal);
    }
  }
}

/** kafkajs's `producer.sendBatch`, retried whole (see retryWhole). */
export function sendWholeBatch(producer: Producer, batch: ProducerBatch, attempts = 6, signal?: AbortSignal): Promise<RecordMetadata[]> {
  return retryWhole(() => producer.sendBatch(batch), attempts, signal);
}
