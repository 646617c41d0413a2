// Whether a failed connection to Kafka is the brokers refusing who we are (SASL) or us refusing who
// they are (TLS): a setting to fix, never cured by retrying — unlike a broker that cannot be reached
// yet, which the ingress spools through and the worker waits for. Pure.
import { kafkaErrorChain } from './is-kafka-refusal.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';

export type KafkaAccessCode = 'ZQ_ERR_KAFKA_AUTH' | 'ZQ_ERR_KAFKA_TLS';

export interface KafkaAccessProblem {
  code: KafkaAccessCode;
  message: string;
}

/** Node's codes for a certificate the client does not trust, or that names another host. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** Broker error types that refuse the client's credentials. */
const AUTH_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'UNSUPPORTED_SASL_MECHANISM', 'ILLEGAL_SASL_STATE', 'CLUSTER_AUTHORIZATION_FAILED']);

export function kafkaAccessProblem(err: unknown, config: Pick<KafkaBusConfig, 'sasl' | 'tls'>): KafkaAccessProblem | undefined {
  for (const e of kafkaErrorChain(err)) {
    const message = typeof e.message === 'string' ? e.message : '';
    const type = typeof e.type === 'string' ? e.type : typeof e.apiId === 'string' ? e.apiId : '';
    if (e.name === 'KafkaJSSASLAuthenticationError' || e.code === 'PLT_KFK_AUTHENTICATION' || AUTH_TYPES.has(type)) {
      const who = config.sasl ? `mechanism ${config.sasl.mechanism}, username ${config.sasl.username}` : 'no bus.kafka.sasl is set';
      return { code: 'ZQ_ERR_KAFKA_AUTH', message: `Kafka refused the client's credentials (bus.kafka.sasl: ${who}): ${message}. Fix bus.kafka.sasl.username / bus.kafka.sasl.password (or the user on the brokers)` };
    }
    if (typeof e.code === 'string' && TLS_CODES.has(e.code)) {
      const trusted = config.tls?.ca_file ? `bus.kafka.tls.ca_file (${config.tls.ca_file})` : 'the system CAs (no bus.kafka.tls.ca_file is set)';
      return { code: 'ZQ_ERR_KAFKA_TLS', message: `the brokers' TLS certificate is not accepted (${e.code}: ${message}); it was checked against ${trusted}. Set bus.kafka.tls.ca_file to the CA that signed the brokers' certificates, and list the brokers by a name their certificate holds` };
    }
  }
  return undefined;
}

/**
 * The access problem an attempt to reach the brokers ends with, if any; no answer within
 * connection_timeout_ms is none (a broker not reachable yet is not a setting to fix).
 */
export async function accessProblemWithin(attempt: Promise<unknown>, config: Pick<KafkaBusConfig, 'sasl' | 'tls' | 'connection_timeout_ms'>): Promise<KafkaAccessProblem | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    attempt.then(
      () => undefined,
      (err: unknown) => kafkaAccessProblem(err, config),
    ),
    new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), config.connection_timeout_ms))),
  ]);
  clearTimeout(timer);
  return outcome;
}
