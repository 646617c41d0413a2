// The HTTP client of the sinks: one undici connection pool per sink (keep-alive, TLS with an
// optional CA bundle), a per-request timeout, and outcomes as values — a response, or why there
// is none. Never throws for network trouble.
import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher } from 'undici';

export interface HttpTlsConfig {
  ca_file?: string;
  reject_unauthorized: boolean;
}

export type HttpOutcome =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: string; ms: number }
  | { ok: false; reason: string; ms: number };

export interface HttpRequest {
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface HttpClient {
  send(request: HttpRequest): Promise<HttpOutcome>;
  close(): Promise<void>;
}

/** Reason codes for requests without a response: `timeout`, `aborted`, `network_<ERRNO>`. */
function failureReason(err: unknown, timedOut: boolean, aborted: boolean): string {
  if (aborted) return 'aborted';
  if (timedOut) return 'timeout';
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e.cause?.code ?? e.code ?? 'error';
  return `network_${code.replace(/^UND_ERR_/, '').toLowerCase()}`;
}

export function createHttpClient(options: { tls?: HttpTlsConfig; connections?: number }): HttpClient {
  const ca = options.tls?.ca_file === undefined ? undefined : readFileSync(options.tls.ca_file);
  const agent = new Agent({
    connections: options.connections ?? 8,
    keepAliveTimeout: 30_000,
    connect: { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: options.tls?.reject_unauthorized ?? true },
  });
  return {
    async send(request) {
      const started = performance.now();
      const timeout = AbortSignal.timeout(request.timeoutMs);
      const signal = AbortSignal.any([request.signal, timeout]);
      const url = new URL(request.url);
      try {
        const res: Dispatcher.ResponseData = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal,
        });
        const body = await res.body.text();
        return { ok: true, status: res.statusCode, headers: res.headers, body, ms: performance.now() - started };
      } catch (err) {
        return { ok: false, reason: failureReason(err, timeout.aborted, request.signal.aborted), ms: performance.now() - started };
      }
    },
    close: () => agent.close(),
  };
}
