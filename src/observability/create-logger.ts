// The root pino logger: one JSON line per record on stderr (stdout is left to the stdout sink),
// or human-readable lines through pino-pretty when asked. Secrets, signatures and bodies are
// never passed to the logger; the redact list is a second line of defence.
import { pino, type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  format: LogFormat;
}

export const REDACTED_PATHS = [
  '*.secret_token',
  '*.previous_secret_tokens',
  '*.headers.authorization',
  '*.headers["x-zm-signature"]',
  'req.headers.authorization',
  'req.headers["x-zm-signature"]',
  'body',
  '*.body',
];

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { service: 'qss-forwarder', pid: process.pid }, // pid: which process of several (npm start, a supervisor) wrote it
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.format === 'pretty') {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2, colorize: false } } });
  }
  return pino(base, pino.destination({ dest: 2, sync: false }));
}
