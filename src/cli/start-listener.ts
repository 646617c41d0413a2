// Starts an HTTP or HTTPS server on host:port and resolves with the bound port. A port that cannot
// be bound is a StartupError naming the setting to change.
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { StartupError } from '../errors.ts';
import type { TlsConfig } from '../ingress/ingress-config.ts';
import { declaredTooLarge } from '../ingress/read-raw-body.ts';

export interface ServerOptions {
  tls?: TlsConfig | undefined;
  /**
   * A request that asks `Expect: 100-continue` with a Content-Length over this gets its final
   * answer (413) instead of an invitation to send the body. Without it, Node sends 100 Continue to
   * every such request.
   */
  maxBodyBytes?: number;
  /** Also bounds a TLS handshake, so a connection that never sends a byte is cut in time too. */
  requestTimeoutMs?: number;
}

export interface ListenOptions {
  host: string;
  port: number;
  requestTimeoutMs?: number;
  /** Where host and port come from, for the message when they cannot be bound. */
  settings: { host: string; port: string };
}

/**
 * Node checks request and header timeouts only every connectionsCheckingInterval (30 s by
 * default): a slow-loris client (headers a byte at a time) would hold a socket up to 30 s past
 * the timeout. Checking every second drops it about when request_timeout_ms says.
 */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1000;

export async function createListener(handler: RequestListener, options: ServerOptions = {}): Promise<Server> {
  const common = { connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS };
  let server: Server;
  if (options.tls === undefined) {
    server = createHttpServer(common, handler);
  } else {
    const [cert, key] = await Promise.all([readFile(options.tls.cert_file), readFile(options.tls.key_file)]);
    server = createHttpsServer({ ...common, cert, key, minVersion: options.tls.min_version, ...(options.requestTimeoutMs === undefined ? {} : { handshakeTimeout: options.requestTimeoutMs }) }, handler);
  }
  const limit = options.maxBodyBytes;
  if (limit !== undefined) {
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (!declaredTooLarge(req, limit)) res.writeContinue();
      handler(req, res);
    });
  }
  return server;
}

const BIND_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'no such host',
};

function bindFailure(err: NodeJS.ErrnoException, options: ListenOptions): StartupError {
  const code = err.code ?? 'unknown';
  const setting = code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? options.settings.host : options.settings.port;
  return new StartupError(`cannot listen on ${options.host}:${options.port} (${setting}): ${BIND_ERRORS[code] ?? err.message} (${code})`, { cause: err });
}

export function listen(server: Server, options: ListenOptions): Promise<number> {
  if (options.requestTimeoutMs !== undefined) {
    server.requestTimeout = options.requestTimeoutMs;
    server.headersTimeout = Math.min(options.requestTimeoutMs, 60_000);
  }
  server.keepAliveTimeout = 65_000; // longer than common load balancer idle timeouts (60 s)
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(bindFailure(err, options));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
