// Hot reload of sinks.yaml: checked every `intervalMs` (and at once on SIGHUP), by content, so a
// Kubernetes ConfigMap update (an atomic symlink swap) is seen like an edit. A changed file is
// validated exactly as at start-up; valid → applied, invalid → every problem logged, counted,
// and the running config kept.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Env } from '../config/load-config.ts';
import { parseSinksConfig } from '../config/load-config.ts';
import { formatConfigIssue } from '../config/load-yaml-config.ts';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import type { ApplyReport } from '../pipeline/start-sink-workers.ts';
import type { SinksConfig } from '../sinks/sinks-config.ts';

export interface WatchSinksConfigOptions {
  file: string;
  /** The text the running config was loaded from. */
  initialText: string;
  env: Env;
  intervalMs: number;
  apply: (config: SinksConfig) => Promise<ApplyReport>;
  logger: Logger;
  metrics: SelfMetrics;
}

export interface SinksConfigWatcher {
  /** Checks the file now; resolves when a change (if any) was applied or refused. */
  check(): Promise<void>;
  stop(): void;
}

export function watchSinksConfig(options: WatchSinksConfigOptions): SinksConfigWatcher {
  const { file, env, logger, metrics } = options;
  const log = logger.child({ component: 'config-reload', file });
  let current = options.initialText;
  let checking: Promise<void> | undefined;
  metrics.configReloadOk.set(1);

  const checkOnce = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      log.warn({ code: (err as NodeJS.ErrnoException).code }, 'cannot read sinks.yaml; keeping the running config');
      return;
    }
    if (text === current) return;
    current = text;
    const parsed = parseSinksConfig(file, text, env);
    if (!parsed.ok) {
      metrics.configReloads.inc({ result: 'rejected' });
      metrics.configReloadOk.set(0);
      log.error({ code: 'ZQ_ERR_CONFIG_INVALID', problems: parsed.issues.map(formatConfigIssue) }, 'changed sinks.yaml is invalid: refused, the running config is kept');
      return;
    }
    try {
      const report = await options.apply(parsed.value);
      metrics.configReloads.inc({ result: 'applied' });
      metrics.configReloadOk.set(1);
      log.info(report, 'sinks.yaml reloaded');
    } catch (err) {
      metrics.configReloads.inc({ result: 'rejected' });
      metrics.configReloadOk.set(0);
      log.error({ err }, 'could not apply the changed sinks.yaml');
    }
  };

  const check = (): Promise<void> => {
    checking ??= checkOnce().finally(() => {
      checking = undefined;
    });
    return checking;
  };

  const timer = options.intervalMs > 0 ? setInterval(() => void check(), options.intervalMs) : undefined;
  timer?.unref();
  const onHangup = (): void => {
    log.info('SIGHUP: checking sinks.yaml');
    void check();
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
