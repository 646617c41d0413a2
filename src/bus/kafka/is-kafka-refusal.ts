// Whether a failed produce is Kafka refusing these records for good (retrying will not help, so the
// spool drain sets them aside) — or anything else, retried with backoff while the records stay in
// the spool. Only a broker's own answer with a record-level or authorisation error counts: kafkajs
// also reports a broker it cannot reach as "non-retriable" once its own retries are spent
// (KafkaJSNonRetriableError around a connection error), and that must never set an event aside.
// Pure.

/** Broker error types that refuse the records themselves. */
const REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP', 'TOPIC_AUTHORIZATION_FAILED']);

export interface KafkaErrorLike {
  name?: unknown;
  /** kafkajs: the broker's error type (e.g. MESSAGE_TOO_LARGE). */
  type?: unknown;
  /** @platformatic/kafka: the broker's error type, the same names. */
  apiId?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  /** @platformatic/kafka's MultipleErrors (an AggregateError). */
  errors?: unknown;
}

/**
 * A Kafka client's error and the ones it wraps, outermost first: kafkajs wraps one `cause`
 * (KafkaJSNonRetriableError around its cause), @platformatic/kafka nests `errors` (MultipleErrors)
 * and `cause`s. At most 20.
 */
export function kafkaErrorChain(err: unknown): KafkaErrorLike[] {
  const chain: KafkaErrorLike[] = [];
  const queue: unknown[] = [err ?? {}];
  while (queue.length > 0 && chain.length < 20) {
    const e = queue.shift() as KafkaErrorLike;
    if (typeof e !== 'object' || e === null || chain.includes(e)) continue;
    chain.push(e);
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]));
    if (e.cause !== undefined) queue.push(e.cause);
  }
  return chain;
}

/** The broker's error type of one error of the chain, if it is a broker's answer. */
const brokerType = (e: KafkaErrorLike): string | undefined => {
  if (e.name === 'KafkaJSProtocolError' && typeof e.type === 'string') return e.type;
  if (e.code === 'PLT_KFK_PROTOCOL' && typeof e.apiId === 'string') return e.apiId;
  return undefined;
};

export function isKafkaRefusal(err: unknown): boolean {
  return kafkaErrorChain(err).some((e) => REFUSALS.has(brokerType(e) ?? ''));
}

/** The broker's error type (e.g. MESSAGE_TOO_LARGE), else the innermost error's name. */
export function kafkaErrorType(err: unknown): string {
  const chain = kafkaErrorChain(err);
  for (const e of chain) {
    const type = brokerType(e) ?? (typeof e.type === 'string' ? e.type : undefined);
    if (type !== undefined) return type;
  }
  return String(chain.at(-1)!.name ?? 'unknown');
}
