// Starts an HTTP or HTTPS server on host:port and resolves with the bound port, or an error.
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TlsConfig } from '../ingress/ingress-config.ts';

export interface ListenerOptions {
  host: string;
  port: number;
  tls?: TlsConfig | undefined;
  requestTimeoutMs?: number;
}

export async function createListener(handler: RequestListener, options: ListenerOptions): Promise<Server> {
  if (options.tls === undefined) return createHttpServer(handler);
  const [cert, key] = await Promise.all([readFile(options.tls.cert_file), readFile(options.tls.key_file)]);
  return createHttpsServer({ cert, key, minVersion: options.tls.min_version }, handler);
}

export function listen(server: Server, options: ListenerOptions): Promise<number> {
  if (options.requestTimeoutMs !== undefined) {
    server.requestTimeout = options.requestTimeoutMs;
    server.headersTimeout = Math.min(options.requestTimeoutMs, 60_000);
  }
  server.keepAliveTimeout = 65_000; // longer than common load balancer idle timeouts (60 s)
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
