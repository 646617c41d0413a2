// Sends one webhook the way Zoom does: POST of compact JSON, signed over the exact bytes sent with a
// fresh timestamp (epoch seconds), over a keep-alive connection pool. Never throws: network failures
// come back as { ok: false }.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { signZoomRequest } from '../zoom/zoom-signature.ts';

export type WebhookResult =
  | { ok: true; status: number; latencyMs: number; body: string }
  | { ok: false; latencyMs: number; error: string };

export interface WebhookSender {
  send(body: unknown): Promise<WebhookResult>;
  close(): Promise<void>;
}

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  /** Connections in the pool: the most requests in flight at once. */
  connections: number;
  /** Wall clock (epoch ms), for the x-zm-request-timestamp header. */
  now: () => number;
  timeoutMs?: number;
}

/** Zoom's request id looks like a UUID with "_" for "-" (Zoom README §3.1). */
function zoomRequestId(): string {
  return randomUUID().replaceAll('-', '_');
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const target = new URL(options.url);
  const path = `${target.pathname}${target.search}`;
  const timeout = options.timeoutMs ?? 30_000;
  const pool = new Pool(target.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connectTimeout: Math.min(timeout, 10_000),
  });
  return {
    async send(body) {
      const raw = Buffer.from(JSON.stringify(body), 'utf8');
      const timestamp = String(Math.floor(options.now() / 1000));
      const headers = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Zoom Marketplace/1.0a (qss-forwarder simulate)',
        'x-zm-request-timestamp': timestamp,
        'x-zm-signature': signZoomRequest(options.secret, timestamp, raw),
        'x-zm-request-id': zoomRequestId(),
        // Zoom does not document this header's format; any unique value will do for a simulation.
        'x-zm-trackingid': `WEBHOOK_${randomBytes(16).toString('hex')}`,
      };
      const started = performance.now();
      try {
        const res = await pool.request({ method: 'POST', path, headers, body: raw });
        const text = await res.body.text();
        return { ok: true, status: res.statusCode, latencyMs: performance.now() - started, body: text };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        return { ok: false, latencyMs: performance.now() - started, error: e.code ?? e.message ?? 'request_failed' };
      }
    },
    async close() {
      await pool.close().catch(() => undefined);
    },
  };
}
