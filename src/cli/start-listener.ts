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

/**
 * Node checks request and header timeouts only every connectionsCheckingInterval (30 s by
 * default): a slow-loris client (headers a byte at a time) would hold a socket up to 30 s past
 * the timeout. Checking every second drops it about when request_timeout_ms says.
 */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1000;

export async function createListener(handler: RequestListener, options: ListenerOptions): Promise<Server> {
  if (options.tls === undefined) return createHttpServer({ connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS }, handler);
  const [cert, key] = await Promise.all([readFile(options.tls.cert_file), readFile(options.tls.key_file)]);
  return createHttpsServer({ cert, key, minVersion: options.tls.min_version, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS }, handler);
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
