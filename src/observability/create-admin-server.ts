// The admin listener: liveness, readiness and Prometheus metrics. Plain node:http (three GETs).
import { createServer, type Server } from 'node:http';
import type { SelfMetrics } from './self-metrics.ts';

export interface Readiness {
  ready: boolean;
  degraded?: boolean;
  detail: string;
}

export interface AdminServerDeps {
  metrics: SelfMetrics;
  readiness: () => Readiness;
}

export function createAdminServer(deps: AdminServerDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'application/json', '{"error":"method not allowed"}');
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      const r = deps.readiness();
      const status = !r.ready ? 'not_ready' : r.degraded === true ? 'degraded' : 'ready';
      return send(r.ready ? 200 : 503, 'application/json', JSON.stringify({ status, detail: r.detail }));
    }
    if (path === '/metrics') {
      deps.metrics.registry.metrics().then(
        (text) => send(200, deps.metrics.registry.contentType, text),
        () => send(500, 'application/json', '{"error":"metrics unavailable"}'),
      );
      return;
    }
    send(404, 'application/json', '{"error":"not found"}');
  });
}
