// Warnings for rejections an operator can fix, which the counters alone leave silent at the default
// log level: signatures that do not match an app's Secret Token, and timestamps outside the replay
// window (a clock off). At most one warning per app and kind per window: the first rejection at
// once, then at the end of each window the number seen in it, while they go on. Only app names and
// counts are logged, never a signature, a token or a body.
import type { Logger } from 'pino';
import type { RejectionCode } from '../errors.ts';
import { DEFAULT_APP } from './ingress-config.ts';

export interface RejectionWarningsOptions {
  logger: Logger;
  maxClockSkewSeconds: number;
  windowMs?: number;
  /** Runs `fn` after `ms` (default: an unref'd setTimeout, so it never holds the process up). */
  schedule?: (fn: () => void, ms: number) => void;
}

export interface RejectionWarnings {
  note(app: string, code: RejectionCode): void;
}

type Kind = 'signature' | 'clock';
const KINDS: Partial<Record<RejectionCode, Kind>> = {
  ZQ_ERR_INGRESS_BAD_SIGNATURE: 'signature',
  ZQ_ERR_INGRESS_STALE_TIMESTAMP: 'clock',
  ZQ_ERR_INGRESS_FUTURE_TIMESTAMP: 'clock',
};

interface Window {
  counts: Map<RejectionCode, number>;
}

export function createRejectionWarnings(options: RejectionWarningsOptions): RejectionWarnings {
  const windowMs = options.windowMs ?? 60_000;
  const schedule = options.schedule ?? ((fn: () => void, ms: number) => void setTimeout(fn, ms).unref());
  const windowSeconds = Math.round(windowMs / 1000);
  const open = new Map<string, Window>();

  const warn = (app: string, kind: Kind, counts: Map<RejectionCode, number>, first: boolean): void => {
    let requests = 0;
    for (const n of counts.values()) requests += n;
    // The first one is reported at once; then what each window saw, at its end.
    const seen = first ? { requests } : { requests, window_seconds: windowSeconds };
    if (kind === 'signature') {
      const token = app === DEFAULT_APP ? `zoom.apps.${app}.secret_token (or ZOOM_WEBHOOK_SECRET_TOKEN)` : `zoom.apps.${app}.secret_token`;
      options.logger.warn(
        { app, ...seen, setting: `zoom.apps.${app}.secret_token`, hint: `check that ${token} is the Secret Token of this Zoom app (Marketplace → your app → Features → Access); while rotating it, keep the old one in zoom.apps.${app}.previous_secret_tokens` },
        'webhook signatures do not match the app\'s Secret Token',
      );
    } else {
      options.logger.warn(
        { app, ...seen, stale: counts.get('ZQ_ERR_INGRESS_STALE_TIMESTAMP') ?? 0, future: counts.get('ZQ_ERR_INGRESS_FUTURE_TIMESTAMP') ?? 0, setting: 'server.max_clock_skew_seconds', max_clock_skew_seconds: options.maxClockSkewSeconds, hint: `x-zm-request-timestamp was more than ${options.maxClockSkewSeconds} s from this machine's clock (stale: behind it, or this clock is ahead; future: ahead of it, or this clock is behind): check the clock (timedatectl, chronyc tracking); a replayed or held-up request looks the same` },
        'webhook timestamps are outside the replay window: check the clock',
      );
    }
  };

  const close = (id: string, app: string, kind: Kind): void => {
    const w = open.get(id)!;
    if (w.counts.size === 0) {
      open.delete(id);
      return;
    }
    warn(app, kind, w.counts, false);
    w.counts = new Map();
    schedule(() => close(id, app, kind), windowMs);
  };

  return {
    note(app, code) {
      const kind = KINDS[code];
      if (kind === undefined) return;
      const id = `${kind}\n${app}`;
      const w = open.get(id);
      if (w !== undefined) {
        w.counts.set(code, (w.counts.get(code) ?? 0) + 1);
        return;
      }
      warn(app, kind, new Map([[code, 1]]), true);
      open.set(id, { counts: new Map() });
      schedule(() => close(id, app, kind), windowMs);
    },
  };
}
