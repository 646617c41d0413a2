// `prometheus` sink: a scrape endpoint. `write` stores the points' last values (always succeeds:
// the data is "delivered" once it is scrapable); an HTTP server renders them on GET <path>.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { SUCCESS } from '../../delivery/delivery-result.ts';
import type { Sink } from '../sink.ts';
import { createGaugeStore } from './gauge-store.ts';
import type { PrometheusSinkConfig } from './prometheus-sink-config.ts';

export function createPrometheusSink(name: string, config: PrometheusSinkConfig, deps: { logger: Logger; now?: () => number }): Sink {
  const now = deps.now ?? Date.now;
  const store = createGaugeStore({ idleMs: config.series_idle_minutes * 60_000 });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== config.path) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    const body = store.render(now(), config.send_timestamps);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(req.method === 'HEAD' ? undefined : body);
  });
  server.on('error', (err) => deps.logger.error({ err, sink: name, port: config.port }, 'prometheus sink: scrape endpoint failed'));
  server.listen(config.port, config.host, () => {
    const address = server.address();
    deps.logger.info({ sink: name, host: config.host, port: typeof address === 'object' && address !== null ? address.port : config.port, path: config.path }, 'prometheus scrape endpoint listening');
  });
  return {
    name,
    type: 'prometheus',
    write(batch) {
      store.update(batch.points, now());
      return Promise.resolve(SUCCESS);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
