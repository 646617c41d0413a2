// The error catalogue: every code an HTTP answer or a log line can carry. Stable strings;
// docs/errors.md lists each one (a test checks that).

export interface RejectionSpec {
  status: number;
  message: string;
}

export const INGRESS_REJECTIONS = {
  ZQ_ERR_INGRESS_NOT_FOUND: { status: 404, message: 'no such endpoint' },
  ZQ_ERR_INGRESS_UNKNOWN_APP: { status: 404, message: 'no Zoom app of that name is configured' },
  ZQ_ERR_INGRESS_METHOD_NOT_ALLOWED: { status: 405, message: 'webhooks are POSTed' },
  ZQ_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'expected content-type application/json (identity encoding)' },
  ZQ_ERR_INGRESS_BODY_TOO_LARGE: { status: 413, message: 'request body is larger than server.max_body_bytes' },
  ZQ_ERR_INGRESS_MISSING_SIGNATURE: { status: 401, message: 'x-zm-signature header is missing' },
  ZQ_ERR_INGRESS_MALFORMED_SIGNATURE: { status: 401, message: 'x-zm-signature is not v0=<64 hex digits>' },
  ZQ_ERR_INGRESS_MISSING_TIMESTAMP: { status: 401, message: 'x-zm-request-timestamp header is missing' },
  ZQ_ERR_INGRESS_MALFORMED_TIMESTAMP: { status: 401, message: 'x-zm-request-timestamp is not epoch seconds' },
  ZQ_ERR_INGRESS_STALE_TIMESTAMP: { status: 401, message: 'x-zm-request-timestamp is too old (outside the replay window)' },
  ZQ_ERR_INGRESS_FUTURE_TIMESTAMP: { status: 401, message: 'x-zm-request-timestamp is too far in the future' },
  ZQ_ERR_INGRESS_BAD_SIGNATURE: { status: 401, message: 'signature does not match' },
  ZQ_ERR_INGRESS_INVALID_UTF8: { status: 400, message: 'body is not valid UTF-8' },
  ZQ_ERR_INGRESS_INVALID_JSON: { status: 400, message: 'body is not JSON' },
  ZQ_ERR_INGRESS_NOT_AN_OBJECT: { status: 400, message: 'body is not a JSON object' },
  ZQ_ERR_INGRESS_MISSING_EVENT: { status: 400, message: 'body has no string "event"' },
  ZQ_ERR_INGRESS_BAD_PLAIN_TOKEN: { status: 400, message: 'payload.plainToken must be a string of 1 to 256 URL-safe characters' },
  ZQ_ERR_BUS_FULL: { status: 503, message: 'event store is full; retry later' },
  ZQ_ERR_BUS_DISK_LOW: { status: 503, message: 'disk of the event store is almost full; retry later' },
  ZQ_ERR_BUS_UNAVAILABLE: { status: 503, message: 'event store is shutting down; retry later' },
  ZQ_ERR_BUS_WRITE_FAILED: { status: 503, message: 'event could not be stored; retry later' },
  ZQ_ERR_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, RejectionSpec>;

export type RejectionCode = keyof typeof INGRESS_REJECTIONS;

/** Codes that are not HTTP answers: they appear in logs and `validate` output. */
export const OTHER_ERROR_CODES = {
  ZQ_ERR_CONFIG_INVALID: 'a config file failed validation; every problem is listed with file:line:column',
  ZQ_ERR_STARTUP: 'the process could not start (port in use, unreadable TLS files, store not writable)',
  ZQ_ERR_STORE_PATH: 'the embedded store (or the Kafka spool) cannot be created or opened at its path: the folder is missing, read-only or not a folder',
  ZQ_ERR_STORE_IN_USE: 'another qss-forwarder process owns the embedded store (or the Kafka spool) at that path; one process owns a store',
  ZQ_ERR_STORE_CORRUPT: 'the embedded store (or the Kafka spool) file is not a usable SQLite database; move it aside to start with an empty one',
  ZQ_ERR_KAFKA_AUTH: 'Kafka refused the credentials of bus.kafka.sasl (wrong user name, password or mechanism) at start-up: the process exits 1',
  ZQ_ERR_KAFKA_TLS: 'the brokers\' TLS certificate is not trusted against bus.kafka.tls.ca_file (or the system CAs), or names another host, at start-up: the process exits 1',
  ZQ_ERR_ROLE_NEEDS_KAFKA: 'ingress or worker was started on the embedded bus, which one serve process owns: run serve, or use the Kafka bus',
  ZQ_ERR_RECORDS_EXPIRED: 'Kafka deleted records (topic retention) before a sink consumed them; that sink goes on from the oldest record kept',
  ZQ_ERR_SHUTDOWN_TIMEOUT: 'on SIGTERM/SIGINT the process did not finish its shutdown within server.shutdown_drain_ms + worker.shutdown_grace_ms + 15 s, and exited anyway',
  ZQ_ERR_EXPLAIN_INPUT: 'the events file given to explain --event could not be read or holds no Zoom webhook body',
} as const;

/**
 * A start-up refusal the operator can act on: each problem names the setting (or path, or limit)
 * and says what to change (`sinks.events_file.path: cannot open …`, `cannot listen on … (server.port,
 * or PORT): …`). Logged with ZQ_ERR_STARTUP and its problems, without a stack; the process exits 1.
 */
export class StartupError extends Error {
  readonly code = 'ZQ_ERR_STARTUP';
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('; '), options);
    this.name = 'StartupError';
    this.problems = list;
  }
}
