// `serve`, `ingress` and `worker`: one wiring, three roles.
//   serve   = webhook ingress + sink workers in one process (either bus)
//   ingress = webhook ingress only: verify, publish, answer (stateless with Kafka)
//   worker  = sink workers only: consume the bus, deliver, commit
// Wires config → logger → metrics → bus → sinks/consumers → ingress app → listeners, and tears
// them down in the reverse order on SIGTERM/SIGINT: not ready at once, then the webhook listener
// drains (answers what it has with Connection: close), then the sinks, the bus, the admin listener.
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import { openEmbeddedBus } from '../bus/embedded/embedded-bus.ts';
import { createKafkaBus } from '../bus/kafka/create-kafka-bus.ts';
import type { KafkaAccessProblem } from '../bus/kafka/kafka-access-problem.ts';
import type { StoreProblem } from '../bus/embedded/open-embedded-store.ts';
import type { ForwarderConfig } from '../config/forwarder-config.ts';
import type { Env } from '../config/load-config.ts';
import { StartupError } from '../errors.ts';
import { createIngressApp } from '../ingress/create-ingress-app.ts';
import { DEFAULT_APP } from '../ingress/ingress-config.ts';
import { ensureLocalSecretToken } from '../ingress/local-secret-token.ts';
import { createAdminServer } from '../observability/create-admin-server.ts';
import { createLogger } from '../observability/create-logger.ts';
import { createLogSummarizer } from '../observability/create-log-summarizer.ts';
import { createSelfMetrics, type SelfMetrics } from '../observability/self-metrics.ts';
import { createParticipantDimensionCache } from '../pipeline/enrich/participant-dimension-cache.ts';
import { participantDimensionCacheOptions } from '../pipeline/enrich/enrichment-config.ts';
import { startSinkWorkers, type SinkWorkers } from '../worker/start-sink-workers.ts';
import { checkSinkStart, createSink } from '../sinks/sink-registry.ts';
import { connectionCaps, parseOpenFileLimit } from './connection-caps.ts';
import { loadConfigOrReport, type CliIo } from './load-config-or-report.ts';
import { createListener, listen } from './start-listener.ts';
import { trackConnections, type TrackedConnections } from './track-connections.ts';
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

type BusOutcome = { ok: true; bus: Bus } | { ok: false; problem: StoreProblem | KafkaAccessProblem | { code: 'ZQ_ERR_ROLE_NEEDS_KAFKA'; message: string } };

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

/** The soft open-file limit of this process (Linux), or undefined where it cannot be read. */
function openFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

export async function runForwarder(role: Role, options: ForwarderOptions, io: CliIo & { stdout: Writable }, env: Env): Promise<number> {
  const loaded = await loadConfigOrReport(options, io, env);
  if (loaded === undefined) return 1;
  const { forwarder: config, sinks: sinksConfig } = loaded;
  const logger = createLogger({ level: config.observability.log_level, format: config.observability.log_format }).child({ role });
  // Node's own warnings as log lines, not plain text in the JSON log on stderr (kafkajs 2.2.4 trips
  // Node 24's TimeoutNegativeWarning); each kind once, then a count a minute.
  const nodeWarnings = createLogSummarizer(logger.child({ component: 'node' }));
  process.removeAllListeners('warning');
  process.on('warning', (w) => nodeWarnings.log('warn', w.name, { warning: w.name }, w.message));
  const metrics = createSelfMetrics({ processMetrics: config.observability.process_metrics });
  const grace = config.worker.shutdown_grace_ms;
  let shuttingDown = false;
  let bus: Bus | undefined;
  let webhook: TrackedConnections | undefined;
  let adminConnections: TrackedConnections | undefined;
  let workers: SinkWorkers | undefined;
  let watcher: SinksConfigWatcher | undefined;
  const admin = createAdminServer({
    metrics,
    readiness: () => (shuttingDown ? { ready: false, detail: 'shutting down' } : bus === undefined ? { ready: false, detail: 'starting' } : bus.health()),
  });

  const stopStarted = async (): Promise<void> => {
    await webhook?.close({ drainMs: 0, graceMs: 0 });
    watcher?.stop();
    await workers?.stop(0);
    await bus?.close();
    await adminConnections?.close({ drainMs: 0, graceMs: 0 });
    logger.flush();
  };
  /** A start-up problem the operator can fix: its code and what to change, no stack; exit 1. */
  const refuse = async (code: string, problems: readonly string[]): Promise<number> => {
    logger.fatal({ code, ...(problems.length > 1 ? { problems } : {}) }, problems.length === 1 ? problems[0]! : `could not start: ${problems.length} problems`);
    await stopStarted();
    return 1;
  };

  try {
    const caps = connectionCaps({ webhook: config.server.max_connections, admin: config.admin.max_connections }, openFileLimit());
    if (caps.lowered !== undefined) {
      logger.warn({ setting: 'server.max_connections', configured: caps.lowered.configured, effective: caps.webhook, open_file_limit: caps.lowered.openFileLimit }, 'server.max_connections lowered to fit the open-file limit (raise ulimit -n / LimitNOFILE to allow more)');
    }
    adminConnections = trackConnections(admin, { listener: 'admin', maxConnections: caps.admin, metrics });
    const adminPort = await listen(admin, { ...config.admin, settings: { host: 'admin.host', port: 'admin.port, or ADMIN_PORT' } });
    logger.info({ port: adminPort, host: config.admin.host, max_connections: caps.admin }, 'admin listener started');
    const opened = await createBus(config, role, logger, metrics);
    if (!opened.ok) return await refuse(opened.problem.code, [opened.problem.message]);
    bus = opened.bus;
    if (role !== 'ingress') {
      const cache = createParticipantDimensionCache(participantDimensionCacheOptions(config.enrichment, Date.now));
      workers = startSinkWorkers({ bus, worker: config.worker, cache, createSink: (name, c) => createSink(name, c, { stdout: io.stdout, retry: config.worker.retry, metrics, logger }), checkSink: checkSinkStart, logger, metrics });
      const applied = await workers.apply(sinksConfig);
      if (!applied.ok) return await refuse('ZQ_ERR_STARTUP', applied.problems);
      const w = workers;
      watcher = watchSinksConfig({ file: options.sinks, initialText: loaded.sinksText, env, intervalMs: config.worker.sinks_reload_interval_ms, apply: (c) => w.apply(c), logger, metrics });
      logger.info({ bus: config.bus.type, sinks: workers.running(), routes: sinksConfig.routes?.length ?? 0 }, 'sink workers started');
    }
    if (role !== 'worker') {
      const secrets = await appSecrets(config, logger);
      if (!secrets.ok) return await refuse('ZQ_ERR_STARTUP', [secrets.message]);
      const app = createIngressApp({ bus, server: config.server, appSecrets: secrets.secrets, logger, metrics });
      const server = await createListener(app, { tls: config.server.tls, maxBodyBytes: config.server.max_body_bytes, requestTimeoutMs: config.server.request_timeout_ms });
      webhook = trackConnections(server, { listener: 'webhook', maxConnections: caps.webhook, metrics, secure: config.server.tls !== undefined });
      const port = await listen(server, { ...config.server, requestTimeoutMs: config.server.request_timeout_ms, settings: { host: 'server.host', port: 'server.port, or PORT' } });
      logger.info({ port, host: config.server.host, scheme: config.server.tls ? 'https' : 'http', bus: config.bus.type, apps: Object.keys(config.zoom.apps), max_connections: caps.webhook }, 'webhook listener started');
    }
  } catch (err) {
    // A StartupError (port in use, open-file limit) says what to change; anything else is a bug: with its stack.
    if (err instanceof StartupError) return await refuse(err.code, err.problems);
    logger.fatal({ err, code: 'ZQ_ERR_STARTUP' }, 'could not start');
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
    logger.error({ code: 'ZQ_ERR_SHUTDOWN_TIMEOUT', grace_ms: grace, drain_ms: config.server.shutdown_drain_ms }, `shutdown did not finish within the drain and grace periods + ${SHUTDOWN_MARGIN_MS / 1000} s; exiting anyway`);
    logger.flush();
    process.exit(1);
  }, config.server.shutdown_drain_ms + grace + SHUTDOWN_MARGIN_MS).unref();
  // Requests already sent are answered (in-flight ones, and any still arriving on an open
  // connection, with Connection: close); the bus stays open for them until the listener is closed.
  await webhook?.close({ drainMs: config.server.shutdown_drain_ms, graceMs: grace });
  watcher?.stop();
  await workers?.stop(grace);
  await bus.close();
  await adminConnections!.close({ drainMs: 0, graceMs: 1000 });
  logger.info('stopped');
  logger.flush();
  return 0;
}
