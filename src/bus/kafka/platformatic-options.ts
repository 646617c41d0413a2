// The options of @platformatic/kafka 1.x shared by the bus's producers, consumers and admin
// (platformatic-client.ts, platformatic-consumer.ts): bootstrap list, timeouts, no retries inside
// the client, TLS, SASL, and kafkajs's partitioner.
import { readFileSync } from 'node:fs';
import { compatibilityPartitioner, SASLMechanisms, type Partitioner } from '@platformatic/kafka';
import type { KafkaBusConfig } from './kafka-bus-config.ts';

const MECHANISMS = { plain: SASLMechanisms.PLAIN, 'scram-sha-256': SASLMechanisms.SCRAM_SHA_256, 'scram-sha-512': SASLMechanisms.SCRAM_SHA_512 } as const;

/** The options every client of the bus shares; `rotation` moves that many brokers to the end of the bootstrap list. */
export function platformaticBaseOptions(config: KafkaBusConfig, rotation = 0) {
  const n = config.brokers.length;
  const r = n === 0 ? 0 : rotation % n;
  const tls = config.tls;
  return {
    clientId: config.client_id,
    bootstrapBrokers: [...config.brokers.slice(r), ...config.brokers.slice(0, r)],
    connectTimeout: config.connection_timeout_ms,
    requestTimeout: config.request_timeout_ms,
    timeout: config.request_timeout_ms,
    retries: 0,
    autocreateTopics: false,
    ...(tls === undefined
      ? {}
      : {
          tls: {
            rejectUnauthorized: tls.reject_unauthorized,
            ...(tls.ca_file ? { ca: [readFileSync(tls.ca_file, 'utf8')] } : {}),
            ...(tls.cert_file ? { cert: readFileSync(tls.cert_file, 'utf8') } : {}),
            ...(tls.key_file ? { key: readFileSync(tls.key_file, 'utf8') } : {}),
          },
        }),
    ...(config.sasl === undefined ? {} : { sasl: { mechanism: MECHANISMS[config.sasl.mechanism], username: config.sasl.username, password: config.sasl.password } }),
  };
}

/** kafkajs's partitioner: murmur2 of the key (Java's), round-robin without one. */
export function kafkajsPartitioner(): Partitioner<string, Buffer, string, string> {
  let next = 0;
  return (message, key) => (key === undefined ? next++ : compatibilityPartitioner(message as never, key));
}
