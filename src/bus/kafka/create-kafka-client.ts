// A kafkajs client from `bus.kafka`: TLS, SASL, timeouts, and kafkajs's own log lines routed into
// pino (kafkajs logs no record contents), repeats summarized.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { createLogSummarizer } from '../../observability/create-log-summarizer.ts';
import { accessProblemWithin, type KafkaAccessProblem } from './kafka-access-problem.ts';
import type { KafkaBusConfig } from './kafka-bus-config.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

function sasl(config: KafkaBusConfig): SASLOptions | undefined {
  const s = config.sasl;
  if (s === undefined) return undefined;
  return { mechanism: s.mechanism, username: s.username, password: s.password } as SASLOptions;
}

/** kafkajs's own words when a consumer's position is no longer on the broker (retention deleted it). */
const OFFSET_RESET_MESSAGE = 'Offset out of range, resetting to default offset';

/**
 * `onOffsetReset`: a consumer group found its position older than the oldest record the topic
 * still holds (the broker's retention deleted the records in between before they were consumed)
 * and starts again from the default offset.
 */
export function createKafkaClient(config: KafkaBusConfig, logger: Logger, onOffsetReset?: (groupId: string, partition: number) => void, retries = 5): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  const noisy = createLogSummarizer(log);
  const tls = config.tls;
  const options: KafkaConfig = {
    clientId: config.client_id,
    brokers: config.brokers,
    connectionTimeout: config.connection_timeout_ms,
    requestTimeout: config.request_timeout_ms,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }) => {
        const { message, stack, timestamp: _t, logger: _l, ...fields } = entry;
        // kafkajs warns about its own default partitioner change on every start: not actionable.
        if (typeof message === 'string' && message.includes('default partitioner')) return;
        if (message === OFFSET_RESET_MESSAGE) onOffsetReset?.(String(fields.groupId), Number(fields.partition));
        const at = LEVELS[level] ?? 'info';
        // kafkajs repeats each connection error with its stack on every retry (52 lines in 50 s
        // with the brokers down): stacks only at debug, and repeats summarized.
        if (at === 'debug' || log.isLevelEnabled('debug')) return void log[at]({ kafka: { ...fields, stack } }, String(message));
        noisy.log(at, `${namespace}:${String(message)}`, { kafka: fields }, String(message));
      },
    retry: { retries, initialRetryTime: 300, maxRetryTime: 30000 },
  };
  if (tls !== undefined) {
    options.ssl = {
      rejectUnauthorized: tls.reject_unauthorized,
      ...(tls.ca_file ? { ca: [readFileSync(tls.ca_file, 'utf8')] } : {}),
      ...(tls.cert_file ? { cert: readFileSync(tls.cert_file, 'utf8') } : {}),
      ...(tls.key_file ? { key: readFileSync(tls.key_file, 'utf8') } : {}),
    };
  }
  const auth = sasl(config);
  if (auth !== undefined) options.sasl = auth;
  return new Kafka(options);
}

/**
 * One connection at start-up, without retries: credentials the brokers refuse or a certificate this
 * client does not trust come back as a problem naming the setting (the process then exits 1); a
 * broker that cannot be reached (yet), or no answer within connection_timeout_ms, does not — the
 * ingress spools through that and the worker waits for it.
 */
export async function checkKafkaAccess(config: KafkaBusConfig, logger: Logger): Promise<KafkaAccessProblem | undefined> {
  // Its kafkajs lines stay quiet: what this connection finds is reported by the caller, and the
  // bus's own clients report an unreachable broker themselves.
  const admin = createKafkaClient(config, logger.child({ check: 'kafka_access' }, { level: 'silent' }), undefined, 0).admin();
  const outcome = await accessProblemWithin(admin.connect(), config);
  void admin.disconnect().catch(() => undefined);
  return outcome;
}
