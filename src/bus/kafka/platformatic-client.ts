// The @platformatic/kafka 1.x side of the client seam (kafka-client.ts), compared with kafkajs in
// docs/deploy.md. What 1.x needs from us (read in its code): acks -1 and a
// Java/kafkajs-compatible partitioner passed explicitly (its defaults are acks 1 and a murmur2
// that puts about half of all keys on another partition), idempotence off (on, it raises its own
// retries without bound), no retries inside the client (a produce then fails whole), and a fresh
// client with the bootstrap list rotated after a failure (1.x sends every metadata request to the
// first reachable bootstrap broker, so one that is SIGSTOPped stalls them all).
import { Admin, Producer, stringSerializer, type ProducerOptions } from '@platformatic/kafka';
import type { Logger } from 'pino';
import { createLogSummarizer } from '../../observability/create-log-summarizer.ts';
import { accessProblemWithin, type KafkaAccessProblem } from './kafka-access-problem.ts';
import type { BusProducer, KafkaClient, OffsetResetListener } from './kafka-client.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import { consumePlatformatic } from './platformatic-consumer.ts';
import { kafkajsPartitioner, platformaticBaseOptions } from './platformatic-options.ts';

function producerPort(config: KafkaBusConfig, logger: Logger): BusProducer {
  const log = logger.child({ component: 'platformatic-kafka' });
  const noisy = createLogSummarizer(log);
  const listeners: (() => void)[] = [];
  let rotation = 0;
  const make = (): Producer<string, Buffer, string, string> => {
    const options: ProducerOptions<string, Buffer, string, string> = {
      ...platformaticBaseOptions(config, rotation),
      idempotent: false,
      acks: -1,
      partitioner: kafkajsPartitioner(),
      serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
    };
    const p = new Producer<string, Buffer, string, string>(options);
    p.on('client:broker:disconnect', () => listeners.forEach((l) => l()));
    p.on('client:broker:failed', (e: { broker?: { host?: string; port?: number } }) => noisy.log('warn', 'broker-failed', { broker: e.broker }, 'cannot reach a Kafka broker'));
    return p;
  };
  let producer = make();
  /** After a failure: a fresh client, asking the next bootstrap broker first. */
  const renew = (): void => {
    const old = producer;
    rotation++;
    producer = make();
    void old.close().catch(() => undefined);
    listeners.forEach((l) => l());
  };
  return {
    async connect() {
      try {
        await producer.metadata({ topics: [config.topic] });
      } catch (err) {
        renew();
        throw err;
      }
    },
    async send(messages, { topic, acks, compression }) {
      try {
        await producer.send({ messages: messages.map((m) => ({ topic, key: m.key ?? undefined, value: m.value, headers: m.headers })), acks, compression });
      } catch (err) {
        renew();
        throw err;
      }
    },
    async disconnect() {
      noisy.stop();
      await producer.close();
    },
    onDisconnect: (listener) => void listeners.push(listener),
  };
}

export function platformaticClient(config: KafkaBusConfig, logger: Logger, onOffsetReset: OffsetResetListener): KafkaClient {
  logger.warn({ setting: 'bus.kafka.client' }, 'bus.kafka.client is platformatic: for comparison, not for production (in the stall-leader soak its workers crashed inside @platformatic/kafka 1.x; docs/deploy.md, "The Kafka client"); kafkajs is the default');
  if (config.idempotent) logger.warn({ setting: 'bus.kafka.idempotent' }, 'bus.kafka.idempotent is not used with bus.kafka.client platformatic (its idempotent producer retries inside the client without bound)');
  return {
    name: 'platformatic',
    producer: () => producerPort(config, logger),
    consume: (hooks, name, handler, options) => consumePlatformatic({ ...hooks, config, onOffsetReset }, name, handler, options),
  };
}

/** checkKafkaAccess (create-kafka-client.ts) for this client: one metadata request, no retries. */
export async function checkPlatformaticAccess(config: KafkaBusConfig): Promise<KafkaAccessProblem | undefined> {
  const admin = new Admin(platformaticBaseOptions(config));
  const outcome = await accessProblemWithin(admin.metadata({ topics: [] }), config);
  void admin.close().catch(() => undefined);
  return outcome;
}
