// A switchable HTTP proxy in front of a sink's receiver: passes requests through, or answers
// with a status (503, 429 + Retry-After), or forwards slowly — for the fault scenarios. The
// receiver behind it still checks every request that gets through.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode = { kind: 'pass' } | { kind: 'status'; status: number; headers?: Record<string, string> } | { kind: 'slow'; delayMs: number };

export interface FaultProxy {
  url: string;
  set(mode: ProxyMode): void;
  counts: Record<string, number>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let mode: ProxyMode = { kind: 'pass' };
  const counts: Record<string, number> = {};
  const t = new URL(target);
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const out = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    out.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const m = mode;
      counts[m.kind === 'status' ? String(m.status) : m.kind] = (counts[m.kind === 'status' ? String(m.status) : m.kind] ?? 0) + 1;
      if (m.kind === 'status') res.writeHead(m.status, { 'content-type': 'application/json', ...m.headers }).end('{"text":"injected","code":9,"errors":["injected"]}');
      else if (m.kind === 'slow') setTimeout(() => forward(req, res, body), m.delayMs);
      else forward(req, res, body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (m) => void (mode = m),
    counts,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
