// Hot reload of sinks.yaml: checked every `intervalMs` (and at once on SIGHUP), by content, so a
// Kubernetes ConfigMap update (an atomic symlink swap) is seen like an edit. A changed file is
// validated exactly as at start-up and its sinks are opened before anything running is touched;
// valid → applied, refused (invalid, or a sink cannot start) → every problem logged, counted, and
// the running config kept. Nothing a changed file does escapes as an exception: the process stays
// up. The poll tries a refused file once; SIGHUP tries it again (e.g. after a folder was fixed).
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Env } from '../config/load-config.ts';
import { parseSinksConfig } from '../config/load-config.ts';
import { formatConfigIssue } from '../config/config-issue.ts';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import type { ApplyOutcome } from '../worker/start-sink-workers.ts';
import type { SinksConfig } from '../sinks/sinks-config.ts';

export interface WatchSinksConfigOptions {
  file: string;
  /** The text the running config was loaded from. */
  initialText: string;
  env: Env;
  intervalMs: number;
  apply: (config: SinksConfig) => Promise<ApplyOutcome>;
  logger: Logger;
  metrics: SelfMetrics;
}

export interface SinksConfigWatcher {
  /**
   * Checks the file now; resolves when a change (if any) was applied or refused. `retry`: a file
   * refused before is tried again (SIGHUP); otherwise only a file not seen before is.
   */
  check(options?: { retry?: boolean }): Promise<void>;
  stop(): void;
}

export function watchSinksConfig(options: WatchSinksConfigOptions): SinksConfigWatcher {
  const { file, env, logger, metrics } = options;
  const log = logger.child({ component: 'config-reload', file });
  /** The text of the running config, and the last text read (refused when they differ). */
  let running = options.initialText;
  let seen = options.initialText;
  let checking: Promise<void> | undefined;
  metrics.configReloadOk.set(1);

  const refuse = (fields: object, message: string): void => {
    metrics.configReloads.inc({ result: 'rejected' });
    metrics.configReloadOk.set(0);
    log.error(fields, message);
  };

  const checkOnce = async (retry: boolean): Promise<void> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      log.warn({ code: (err as NodeJS.ErrnoException).code }, 'cannot read sinks.yaml; keeping the running config');
      return;
    }
    if (text === running || (text === seen && !retry)) return;
    seen = text;
    let parsed: ReturnType<typeof parseSinksConfig>;
    try {
      parsed = parseSinksConfig(file, text, env);
    } catch (err) {
      // A bug in the loader: the running config stays, the process too.
      return refuse({ code: 'ZQ_ERR_CONFIG_INVALID', err }, 'changed sinks.yaml could not be checked: refused, the running config is kept');
    }
    if (!parsed.ok) {
      return refuse({ code: 'ZQ_ERR_CONFIG_INVALID', problems: parsed.issues.map(formatConfigIssue) }, 'changed sinks.yaml is invalid: refused, the running config is kept');
    }
    try {
      const applied = await options.apply(parsed.value);
      if (!applied.ok) {
        return refuse({ code: 'ZQ_ERR_CONFIG_INVALID', problems: applied.problems }, 'changed sinks.yaml cannot be applied: refused, the running config is kept');
      }
      running = text;
      metrics.configReloads.inc({ result: 'applied' });
      metrics.configReloadOk.set(1);
      log.info(applied.report, 'sinks.yaml reloaded');
    } catch (err) {
      refuse({ err }, 'could not apply the changed sinks.yaml');
    }
  };

  const check = (opts: { retry?: boolean } = {}): Promise<void> => {
    checking ??= checkOnce(opts.retry === true)
      .catch((err: unknown) => refuse({ err }, 'could not check the changed sinks.yaml'))
      .finally(() => {
        checking = undefined;
      });
    return checking;
  };

  const timer = options.intervalMs > 0 ? setInterval(() => void check(), options.intervalMs) : undefined;
  timer?.unref();
  const onHangup = (): void => {
    log.info('SIGHUP: checking sinks.yaml');
    void check({ retry: true });
  };
  process.on('SIGHUP', onHangup);
  return {
    check,
    stop() {
      if (timer !== undefined) clearInterval(timer);
      process.off('SIGHUP', onHangup);
    },
  };
}
