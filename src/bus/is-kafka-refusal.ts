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
  type?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** A kafkajs error and the ones it wraps, outermost first (KafkaJSNonRetriableError wraps its cause); at most 10. */
export function kafkaErrorChain(err: unknown): KafkaErrorLike[] {
  const chain: KafkaErrorLike[] = [(err ?? {}) as KafkaErrorLike];
  while (chain.length < 11 && typeof chain.at(-1)!.cause === 'object' && chain.at(-1)!.cause !== null) chain.push(chain.at(-1)!.cause as KafkaErrorLike);
  return chain;
}

/** The innermost error of a kafkajs error chain. */
const rootOf = (err: unknown): KafkaErrorLike => kafkaErrorChain(err).at(-1)!;

export function isKafkaRefusal(err: unknown): boolean {
  const root = rootOf(err);
  return root.name === 'KafkaJSProtocolError' && typeof root.type === 'string' && REFUSALS.has(root.type);
}

/** The broker's error type (e.g. MESSAGE_TOO_LARGE), else the innermost error's name. */
export function kafkaErrorType(err: unknown): string {
  const root = rootOf(err);
  return typeof root.type === 'string' ? root.type : String(root.name ?? 'unknown');
}
