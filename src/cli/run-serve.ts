// `qss-forwarder serve`: ingress and sink workers in one process, on the embedded bus.
// Wires config → logger → metrics → bus → sinks/consumers → ingress app → listeners, and tears
// them down in the reverse order on SIGTERM/SIGINT.
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createEmbeddedBus } from '../bus/embedded-bus.ts';
import type { ConsumerHandle } from '../bus/bus.ts';
import type { ForwarderConfig } from '../config/forwarder-config.ts';
import type { Env } from '../config/load-config.ts';
import { createIngressApp } from '../ingress/create-ingress-app.ts';
import { DEFAULT_APP } from '../ingress/ingress-config.ts';
import { ensureLocalSecretToken } from '../ingress/local-secret-token.ts';
import { createAdminServer } from '../observability/create-admin-server.ts';
import { createLogger } from '../observability/create-logger.ts';
import { createSelfMetrics } from '../observability/self-metrics.ts';
import { startSinkConsumer } from '../pipeline/start-sink-consumer.ts';
import { createSink } from '../sinks/sink-registry.ts';
import type { Sink } from '../sinks/sink.ts';
import { closeServer, createListener, listen } from './start-listener.ts';
import { loadConfigOrReport, type CliIo } from './load-config-or-report.ts';

export interface ServeOptions {
  config: string;
  sinks: string;
}

async function appSecrets(config: ForwarderConfig, logger: Logger): Promise<Map<string, string[]>> {
  const secrets = new Map<string, string[]>();
  for (const [name, app] of Object.entries(config.zoom.apps)) {
    let current = app.secret_token;
    if (current === '' && name === DEFAULT_APP) {
      const local = await ensureLocalSecretToken(config.data_dir);
      current = local.token;
      logger.warn(
        { token_file: local.path, created: local.created },
        'No Zoom Secret Token configured: using a generated local token (unsigned events are still refused). Set ZOOM_WEBHOOK_SECRET_TOKEN to your Zoom app\'s Secret Token for real traffic; try it locally now with `npx qss-forwarder simulate`.',
      );
    }
    secrets.set(name, [current, ...app.previous_secret_tokens]);
  }
  return secrets;
}

export async function runServe(options: ServeOptions, io: CliIo & { stdout: Writable }, env: Env): Promise<number> {
  const loaded = await loadConfigOrReport(options, io, env);
  if (loaded === undefined) return 1;
  const { forwarder: config, sinks: sinksConfig } = loaded;
  const logger = createLogger({ level: config.observability.log_level, format: config.observability.log_format });
  const metrics = createSelfMetrics({ processMetrics: config.observability.process_metrics });
  let shuttingDown = false;

  const bus = createEmbeddedBus({ config: config.bus.embedded, logger, metrics });
  const sinks: Sink[] = Object.entries(sinksConfig.sinks).map(([name, c]) => createSink(name, c, { stdout: io.stdout }));
  const consumers: ConsumerHandle[] = sinks.map((sink) => startSinkConsumer({ bus, sink, config: config.worker, logger, metrics }));
  const app = createIngressApp({ bus, server: config.server, appSecrets: await appSecrets(config, logger), logger, metrics });
  const admin = createAdminServer({
    metrics,
    readiness: () => (shuttingDown ? { ready: false, detail: 'shutting down' } : bus.health()),
  });

  let webhookServer;
  try {
    webhookServer = await createListener(app, config.server);
    const port = await listen(webhookServer, { ...config.server, requestTimeoutMs: config.server.request_timeout_ms });
    const scheme = config.server.tls ? 'https' : 'http';
    logger.info({ port, host: config.server.host, scheme, apps: Object.keys(config.zoom.apps) }, 'webhook listener started');
    const adminPort = await listen(admin, config.admin);
    logger.info({ port: adminPort, host: config.admin.host }, 'admin listener started');
    logger.info({ sinks: sinks.map((s) => `${s.name}(${s.type})`) }, 'sink workers started');
  } catch (err) {
    logger.fatal({ err, code: 'ZQ_ERR_STARTUP' }, 'could not start');
    for (const c of consumers) await c.stop(0);
    await bus.close();
    logger.flush();
    return 1;
  }

  const server = webhookServer;
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const signal = await stopped;
  shuttingDown = true;
  const grace = config.worker.shutdown_grace_ms;
  logger.info({ signal, grace_ms: grace }, 'shutting down: no new requests; finishing in-flight work');
  await closeServer(server, grace);
  await Promise.all(consumers.map((c) => c.stop(grace)));
  await Promise.all(sinks.map((s) => s.close()));
  await bus.close();
  await closeServer(admin, 1000);
  logger.info('stopped');
  logger.flush();
  return 0;
}
