// Whether a failed produce is Kafka refusing these records for good (retrying will not help, so the
// spool drain sets them aside) — or anything else, retried with backoff while the records stay in
// the spool. Only a broker's own answer with a record-level or authorisation error counts: kafkajs
// also reports a broker it cannot reach as "non-retriable" once its own retries are spent
// (KafkaJSNonRetriableError around a connection error), and that must never set an event aside.
// Pure.

/** Broker error types that refuse the records themselves. */
const REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP', 'TOPIC_AUTHORIZATION_FAILED']);

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  cause?: unknown;
}

/** The innermost error of a kafkajs error chain (KafkaJSNonRetriableError wraps its cause). */
function rootOf(err: unknown): ErrorLike {
  let e = (err ?? {}) as ErrorLike;
  for (let depth = 0; depth < 10 && typeof e.cause === 'object' && e.cause !== null; depth++) e = e.cause as ErrorLike;
  return e;
}

export function isKafkaRefusal(err: unknown): boolean {
  const root = rootOf(err);
  return root.name === 'KafkaJSProtocolError' && typeof root.type === 'string' && REFUSALS.has(root.type);
}

/** The broker's error type (e.g. MESSAGE_TOO_LARGE), else the innermost error's name. */
export function kafkaErrorType(err: unknown): string {
  const root = rootOf(err);
  return typeof root.type === 'string' ? root.type : String(root.name ?? 'unknown');
}
