// Repeated log lines become one line and a count: the first line of a kind is written as it is;
// the same kind again within `windowMs` is only counted, and when the window ends one summary line
// says how often it came (with the last one's fields). A broker that is down for an hour writes a
// few lines a minute, not thousands. Kinds are keyed by the caller (e.g. kafkajs's namespace and
// message); at most `maxKinds` are tracked, beyond that lines pass through uncounted.
import type { Logger } from 'pino';

export type SummarizedLevel = 'error' | 'warn' | 'info';

export interface LogSummarizer {
  log(level: SummarizedLevel, kind: string, fields: Record<string, unknown>, message: string): void;
  /** Writes the summaries of every window with repeats, ended or not. */
  flush(): void;
  stop(): void;
}

interface Window {
  endsAt: number;
  repeats: number;
  level: SummarizedLevel;
  message: string;
  fields: Record<string, unknown>;
}

export interface LogSummarizerOptions {
  windowMs?: number;
  maxKinds?: number;
  now?: () => number;
}

export function createLogSummarizer(logger: Logger, options: LogSummarizerOptions = {}): LogSummarizer {
  const windowMs = options.windowMs ?? 60_000;
  const maxKinds = options.maxKinds ?? 200;
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();

  const summarize = (w: Window): void => {
    if (w.repeats === 0) return;
    logger[w.level]({ ...w.fields, repeated: w.repeats, window_s: Math.round(windowMs / 1000) }, `${w.message} (repeated ${w.repeats} more times in the last ${Math.round(windowMs / 1000)} s)`);
  };

  const closeEnded = (t: number): void => {
    for (const [kind, w] of windows) {
      if (w.endsAt > t) continue;
      summarize(w);
      windows.delete(kind);
    }
  };

  const timer = setInterval(() => closeEnded(now()), windowMs);
  timer.unref();

  return {
    log(level, kind, fields, message) {
      const t = now();
      const w = windows.get(kind);
      if (w !== undefined && w.endsAt > t) {
        w.repeats++;
        w.fields = fields;
        return;
      }
      if (w !== undefined) {
        summarize(w);
        windows.delete(kind);
      }
      logger[level](fields, message);
      if (windows.size < maxKinds) windows.set(kind, { endsAt: t + windowMs, repeats: 0, level, message, fields });
    },
    flush() {
      for (const w of windows.values()) summarize(w);
      windows.clear();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
