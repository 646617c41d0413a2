// `serve`, `ingress` and `worker`: one wiring, three roles.
//   serve   = webhook ingress + sink workers in one process (either bus)
//   ingress = webhook ingress only: verify, publish, answer (stateless with Kafka)
//   worker  = sink workers only: consume the bus, deliver, commit
// Wires config → logger → metrics → bus → sinks/consumers → ingress app → listeners, and tears
// them down in the reverse order on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import { openEmbeddedBus } from '../bus/embedded-bus.ts';
import { createKafkaBus } from '../bus/create-kafka-bus.ts';
import type { StoreProblem } from '../bus/open-embedded-store.ts';
import type { ForwarderConfig } from '../config/forwarder-config.ts';
import type { Env } from '../config/load-config.ts';
import { StartupError, startupFailureFields } from '../errors.ts';
import { createIngressApp } from '../ingress/create-ingress-app.ts';
import { DEFAULT_APP } from '../ingress/ingress-config.ts';
import { ensureLocalSecretToken } from '../ingress/local-secret-token.ts';
import { createAdminServer } from '../observability/create-admin-server.ts';
import { createLogger } from '../observability/create-logger.ts';
import { createSelfMetrics, type SelfMetrics } from '../observability/self-metrics.ts';
import { createParticipantDimensionCache } from '../pipeline/enrich/participant-dimension-cache.ts';
import { participantDimensionCacheOptions } from '../pipeline/enrich/enrichment-config.ts';
import { startSinkWorkers, type SinkWorkers } from '../pipeline/start-sink-workers.ts';
import { checkSinkStart, createSink } from '../sinks/sink-registry.ts';
import { loadConfigOrReport, type CliIo } from './load-config-or-report.ts';
import { closeServer, createListener, listen } from './start-listener.ts';
import { watchSinksConfig, type SinksConfigWatcher } from './watch-sinks-config.ts';

export type Role = 'serve' | 'ingress' | 'worker';

export interface ForwarderOptions {
  config: string;
  sinks: string;
}

async function appSecrets(config: ForwarderConfig, logger: Logger): Promise<{ ok: true; secrets: Map<string, string[]> } | { ok: false; message: string }> {
  const secrets = new Map<string, string[]>();
  for (const [name, app] of Object.entries(config.zoom.apps)) {
    let current = app.secret_token;
    if (current === '' && name === DEFAULT_APP) {
      const local = await ensureLocalSecretToken(config.data_dir);
      if (!local.ok) return local;
      current = local.token;
      logger.warn(
        { token_file: local.path, created: local.created },
        'No Zoom Secret Token configured: using a generated local token (unsigned events are still refused). Set ZOOM_WEBHOOK_SECRET_TOKEN to your Zoom app\'s Secret Token for real traffic; try it locally now with `npx qss-forwarder simulate`.',
      );
    }
    secrets.set(name, [current, ...app.previous_secret_tokens]);
  }
  return { ok: true, secrets };
}

type BusOutcome = { ok: true; bus: Bus } | { ok: false; problem: StoreProblem | { code: 'ZQ_ERR_ROLE_NEEDS_KAFKA'; message: string } };

export async function createBus(config: ForwarderConfig, role: Role, logger: Logger, metrics: SelfMetrics): Promise<BusOutcome> {
  if (config.bus.type === 'kafka') {
    return createKafkaBus({ config: config.bus.kafka, logger, metrics, publisher: role !== 'worker', shutdownGraceMs: config.worker.shutdown_grace_ms, owner: role });
  }
  if (role !== 'serve') {
    // Two processes on one store would both deliver every event (and retire each other's data).
    return {
      ok: false,
      problem: {
        code: 'ZQ_ERR_ROLE_NEEDS_KAFKA',
        message: `\`qss-forwarder ${role}\` needs the Kafka bus: the embedded bus (bus.type: embedded) is owned by one process, which is \`qss-forwarder serve\` (ingress and sink workers in one process). Run serve, or set bus.type: kafka (or KAFKA_BROKERS) to run ingress and workers as separate processes.`,
      },
    };
  }
  return openEmbeddedBus({ config: config.bus.embedded, logger, metrics, owner: role });
}

/** Time past worker.shutdown_grace_ms before a hung shutdown is given up (ZQ_ERR_SHUTDOWN_TIMEOUT). */
const SHUTDOWN_MARGIN_MS = 15_000;

export async function runForwarder(role: Role, options: ForwarderOptions, io: CliIo & { stdout: Writable }, env: Env): Promise<number> {
  const loaded = await loadConfigOrReport(options, io, env);
  if (loaded === undefined) return 1;
  const { forwarder: config, sinks: sinksConfig } = loaded;
  const logger = createLogger({ level: config.observability.log_level, format: config.observability.log_format }).child({ role });
  const metrics = createSelfMetrics({ processMetrics: config.observability.process_metrics });
  const grace = config.worker.shutdown_grace_ms;
  let shuttingDown = false;
  let bus: Bus | undefined;
  let webhookServer: Server | undefined;
  let workers: SinkWorkers | undefined;
  let watcher: SinksConfigWatcher | undefined;
  const admin = createAdminServer({
    metrics,
    readiness: () => (shuttingDown ? { ready: false, detail: 'shutting down' } : bus === undefined ? { ready: false, detail: 'starting' } : bus.health()),
  });

  const stopStarted = async (): Promise<void> => {
    watcher?.stop();
    await workers?.stop(0);
    await bus?.close();
    await closeServer(admin, 0);
    logger.flush();
  };
  /** A start-up problem the operator can fix: its code and one clear message, no stack. */
  const refuse = async (code: string, message: string): Promise<number> => {
    logger.fatal({ code }, message);
    await stopStarted();
    return 1;
  };

  try {
    const adminPort = await listen(admin, config.admin);
    logger.info({ port: adminPort, host: config.admin.host }, 'admin listener started');
    const opened = await createBus(config, role, logger, metrics);
    if (!opened.ok) return await refuse(opened.problem.code, opened.problem.message);
    bus = opened.bus;
    if (role !== 'ingress') {
      const cache = createParticipantDimensionCache(participantDimensionCacheOptions(config.enrichment, Date.now));
      workers = startSinkWorkers({ bus, worker: config.worker, cache, createSink: (name, c) => createSink(name, c, { stdout: io.stdout, retry: config.worker.retry, metrics, logger }), checkSink: checkSinkStart, logger, metrics });
      const applied = await workers.apply(sinksConfig);
      if (!applied.ok) throw new StartupError(applied.problems);
      const w = workers;
      watcher = watchSinksConfig({ file: options.sinks, initialText: loaded.sinksText, env, intervalMs: config.worker.sinks_reload_interval_ms, apply: (c) => w.apply(c), logger, metrics });
      logger.info({ bus: config.bus.type, sinks: workers.running(), routes: sinksConfig.routes?.length ?? 0 }, 'sink workers started');
    }
    if (role !== 'worker') {
      const secrets = await appSecrets(config, logger);
      if (!secrets.ok) return await refuse('ZQ_ERR_STARTUP', secrets.message);
      const app = createIngressApp({ bus, server: config.server, appSecrets: secrets.secrets, logger, metrics });
      webhookServer = await createListener(app, config.server);
      const port = await listen(webhookServer, { ...config.server, requestTimeoutMs: config.server.request_timeout_ms });
      logger.info({ port, host: config.server.host, scheme: config.server.tls ? 'https' : 'http', bus: config.bus.type, apps: Object.keys(config.zoom.apps) }, 'webhook listener started');
    }
  } catch (err) {
    logger.fatal(startupFailureFields(err), 'could not start');
    await stopStarted();
    return 1;
  }

  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  shuttingDown = true;
  logger.info({ signal, grace_ms: grace }, 'shutting down: no new requests; finishing in-flight work');
  // A shutdown that hangs (a client library that does not let go) must not keep the process up:
  // what was not committed is delivered again after the restart, so leaving is safe.
  setTimeout(() => {
    logger.error({ code: 'ZQ_ERR_SHUTDOWN_TIMEOUT', grace_ms: grace }, `shutdown did not finish within the grace period + ${SHUTDOWN_MARGIN_MS / 1000} s; exiting anyway`);
    logger.flush();
    process.exit(1);
  }, grace + SHUTDOWN_MARGIN_MS).unref();
  if (webhookServer !== undefined) await closeServer(webhookServer, grace);
  watcher?.stop();
  await workers?.stop(grace);
  await bus.close();
  await closeServer(admin, 1000);
  logger.info('stopped');
  logger.flush();
  return 0;
}
