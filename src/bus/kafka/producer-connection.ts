// The ingress producer's connection to Kafka: one connect at a time, remembered until the client
// says it lost it. A connect that fails is logged (summarized: while Kafka is away these come every
// few seconds) and answered false — the events are spooled meanwhile; credentials or a certificate
// refused after start-up (a password rotated on the brokers) are an error naming the setting.
import type { LogSummarizer } from '../../observability/create-log-summarizer.ts';
import { kafkaAccessProblem } from './kafka-access-problem.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';
import type { BusProducer } from './kafka-client.ts';

export interface ProducerConnection {
  /** Resolves true once connected, false when this attempt failed. */
  connect(): Promise<boolean>;
  connected(): boolean;
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createProducerConnection(producer: BusProducer, config: KafkaBusConfig, noisy: LogSummarizer): ProducerConnection {
  let connected = false;
  let connecting: Promise<boolean> | undefined;
  producer.onDisconnect(() => (connected = false));
  return {
    connected: () => connected,
    connect() {
      if (connected) return Promise.resolve(true);
      connecting ??= producer.connect().then(
        () => ((connected = true), (connecting = undefined), true),
        (err: unknown) => {
          connecting = undefined;
          // Credentials or a certificate refused after start-up (a password rotated on the brokers):
          // an error naming the setting, still spooling — nothing accepted is lost once it is fixed.
          const access = kafkaAccessProblem(err, config);
          if (access !== undefined) noisy.log('error', access.code, { code: access.code }, `${access.message}; events are spooled locally meanwhile`);
          else noisy.log('warn', 'connect', { reason: errorMessage(err) }, 'cannot connect to Kafka: events are spooled locally until it is back');
          return false;
        },
      );
      return connecting;
    },
  };
}
