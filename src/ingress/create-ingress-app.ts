// The webhook listener as an Express app. Never listens itself (the CLI does). Cheap checks come
// first (path, method, media type, declared size), then the body is read as raw bytes and handed
// to handleWebhook. Every answer, and every count of it, goes through `answer`. An answer sent
// before the body was read says Connection: close (the listener lingers, so the client still
// reads it).
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import { zoomHeaderMeta } from '../bus/record-meta.ts';
import { INGRESS_REJECTIONS, type RejectionCode } from '../errors.ts';
import type { SelfMetrics } from '../observability/self-metrics.ts';
import { createWebhookHandler, type WebhookAnswer } from './handle-webhook.ts';
import { DEFAULT_APP, type ServerConfig } from './ingress-config.ts';
import { declaredTooLarge, readRawBody } from './read-raw-body.ts';
import { createRejectionWarnings } from './rejection-warnings.ts';
import { createReplayCache, type ReplayCache } from './replay-cache.ts';

export interface IngressAppDeps {
  bus: Bus;
  server: ServerConfig;
  /** Secrets by app name: the current one first, then previous ones. */
  appSecrets: ReadonlyMap<string, readonly string[]>;
  logger: Logger;
  metrics: SelfMetrics;
  now?: () => number;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const ROUTE = '/webhooks/zoom{/:app}';
const ACCEPTED_BODY = Buffer.from('{"status":"accepted"}');
const ACCEPTED_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(ACCEPTED_BODY.length) };

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function createIngressApp(deps: IngressAppDeps): express.Express {
  const { metrics, server } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'ingress' });
  const handle = createWebhookHandler({ bus: deps.bus, maxClockSkewSeconds: server.max_clock_skew_seconds, now });
  const warnings = createRejectionWarnings({ logger: log, maxClockSkewSeconds: server.max_clock_skew_seconds });
  const replayCaches = new Map<string, ReplayCache>(
    [...deps.appSecrets.keys()].map((app) => [
      app,
      createReplayCache({
        maxEntries: server.replay_cache_max_entries,
        nowSeconds: () => now() / 1000,
        onSize: (delta) => metrics.replayCacheEntries.inc(delta),
        onEvict: () => metrics.replayCacheEvictions.inc(),
      }),
    ]),
  );

  const reject = (res: Response, app: string, code: RejectionCode): void => {
    const spec = INGRESS_REJECTIONS[code];
    metrics.ingressRequests.inc({ app, outcome: spec.status >= 500 ? 'unavailable' : 'rejected', reason: code });
    warnings.note(app, code);
    if (spec.status === 503) res.setHeader('retry-after', String(server.retry_after_seconds));
    if (spec.status >= 500) log.warn({ app, code }, 'event not accepted');
    else log.debug({ app, code, status: spec.status }, 'request rejected');
    res.status(spec.status).json({ error: spec.message, code });
  };

  // The hot path's metric children, bound once per app (label hashing is not free).
  const acceptedMetrics = new Map(
    [...deps.appSecrets.keys()].map((app) => [
      app,
      { count: metrics.ingressRequests.labels(app, 'accepted', ''), duplicate: metrics.ingressRequests.labels(app, 'duplicate', ''), ack: metrics.ackSeconds.labels(app) },
    ]),
  );

  const answer = (res: Response, app: string, result: WebhookAnswer, startedAt: bigint): void => {
    switch (result.kind) {
      case 'accepted': {
        const m = acceptedMetrics.get(app)!;
        m.count.inc();
        m.ack.observe(Number(process.hrtime.bigint() - startedAt) / 1e9);
        res.writeHead(200, ACCEPTED_HEADERS).end(ACCEPTED_BODY);
        return;
      }
      case 'duplicate':
        // Zoom (or whoever replays it) gets what the first copy got; nothing is stored again.
        acceptedMetrics.get(app)!.duplicate.inc();
        res.writeHead(200, ACCEPTED_HEADERS).end(ACCEPTED_BODY);
        return;
      case 'crc':
        metrics.ingressRequests.inc({ app, outcome: 'crc', reason: '' });
        metrics.crcAnswers.inc({ app, outcome: 'answered' });
        log.info({ app }, 'answered Zoom endpoint validation (CRC)');
        res.status(200).json({ plainToken: result.plainToken, encryptedToken: result.encryptedToken });
        return;
      case 'rejected':
        if (result.code === 'ZQ_ERR_INGRESS_BAD_PLAIN_TOKEN') metrics.crcAnswers.inc({ app, outcome: 'rejected' });
        reject(res, app, result.code);
    }
  };

  const webhook = async (req: Request, res: Response): Promise<void> => {
    const app = (req.params.app as string | undefined) ?? DEFAULT_APP;
    const secrets = deps.appSecrets.get(app);
    if (secrets === undefined) return reject(res, 'unknown', 'ZQ_ERR_INGRESS_UNKNOWN_APP');
    const encoding = header(req, 'content-encoding');
    if (!JSON_TYPE.test(header(req, 'content-type') ?? '') || (encoding !== undefined && encoding !== 'identity')) {
      return reject(res, app, 'ZQ_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE');
    }
    if (declaredTooLarge(req, server.max_body_bytes)) {
      res.setHeader('connection', 'close');
      return reject(res, app, 'ZQ_ERR_INGRESS_BODY_TOO_LARGE');
    }
    const raw = await readRawBody(req, server.max_body_bytes);
    if (!raw.ok) {
      if (raw.reason === 'aborted') return void metrics.ingressRequests.inc({ app, outcome: 'rejected', reason: 'client_aborted' });
      res.setHeader('connection', 'close');
      return reject(res, app, 'ZQ_ERR_INGRESS_BODY_TOO_LARGE');
    }
    const startedAt = process.hrtime.bigint();
    const result = await handle({
      app,
      secrets,
      replays: replayCaches.get(app)!,
      rawBody: raw.body,
      signature: header(req, 'x-zm-signature'),
      timestamp: header(req, 'x-zm-request-timestamp'),
      ...zoomHeaderMeta((name) => header(req, name)),
    });
    answer(res, app, result, startedAt);
  };

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  app.post(ROUTE, webhook);
  app.all(ROUTE, (req, res) => {
    res.setHeader('allow', 'POST');
    const name = (req.params.app as string | undefined) ?? DEFAULT_APP;
    // Label values only from config: an unauthenticated path must not mint new series.
    reject(res, deps.appSecrets.has(name) ? name : 'unknown', 'ZQ_ERR_INGRESS_METHOD_NOT_ALLOWED');
  });
  app.use((_req, res) => reject(res, 'unknown', 'ZQ_ERR_INGRESS_NOT_FOUND'));
  // The one place an unexpected error becomes an answer: no stack, no body, no secret.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    log.error({ err }, 'unexpected error while handling a webhook');
    if (!res.headersSent) reject(res, 'unknown', 'ZQ_ERR_INTERNAL');
  });
  return app;
}
