// The kafkajs 2.2.4 side of the client seam (kafka-client.ts): its producer with retries off
// (send-whole-batch.ts says why), its consumer in kafka-consumer.ts.
import type { Logger } from 'pino';
import { createKafkaClient } from './create-kafka-client.ts';
import type { KafkaClient, OffsetResetListener } from './kafka-client.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { consumeKafka } from './kafka-consumer.ts';
import { createWholeBatchProducer } from './send-whole-batch.ts';

const COMPRESSION = { none: 0, gzip: 1 } as const;

export function kafkajsClient(config: KafkaBusConfig, logger: Logger, onOffsetReset: OffsetResetListener): KafkaClient {
  const kafka = createKafkaClient(config, logger, onOffsetReset);
  return {
    name: 'kafkajs',
    producer({ idempotent }) {
      // One request in flight per broker connection, and no retries inside kafkajs.
      const producer = createWholeBatchProducer(kafka, { idempotent, allowAutoTopicCreation: false, maxInFlightRequests: 1 });
      return {
        connect: () => producer.connect(),
        async send(messages, { topic, acks, compression }) {
          await producer.sendBatch({ acks, timeout: config.request_timeout_ms, compression: COMPRESSION[compression], topicMessages: [{ topic, messages: [...messages] }] });
        },
        disconnect: () => producer.disconnect(),
        onDisconnect: (listener) => void producer.on(producer.events.DISCONNECT, listener),
      };
    },
    consume: (hooks, name, handler, options) => consumeKafka({ ...hooks, kafka, config }, name, handler, options),
  };
}
