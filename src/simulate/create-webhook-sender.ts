// Sends one webhook the way Zoom does: POST of compact JSON, signed over the exact bytes sent with a
// fresh timestamp (epoch seconds), over a keep-alive connection pool. A retry or duplicate passes the
// same bytes and ids again and gets a new timestamp and signature (Zoom re-signs each delivery).
// An answer that takes longer than `timeoutMs` (Zoom: 3 s) is a failed delivery, `error: "timeout"`.
// Never throws: network failures come back as { ok: false }.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { signZoomRequest } from '../zoom/zoom-signature.ts';

export type WebhookResult =
  | { ok: true; status: number; latencyMs: number; body: string }
  | { ok: false; latencyMs: number; error: string };

/** The headers that stay the same on every delivery of one event. */
export interface DeliveryIds {
  requestId: string;
  trackingId: string;
}

export interface WebhookSender {
  /** `body`: an object (serialised here) or the exact bytes to send. Fresh ids when `ids` is absent. */
  send(body: unknown, ids?: DeliveryIds): Promise<WebhookResult>;
  close(): Promise<void>;
}

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  /** Connections in the pool: the most requests in flight at once. */
  connections: number;
  /** Wall clock (epoch ms), for the x-zm-request-timestamp header. */
  now: () => number;
  /** Whole request, connect to last body byte (default 30 s). */
  timeoutMs?: number;
}

/** Zoom's request id looks like a UUID with "_" for "-" (Zoom README §3.1). */
export function zoomRequestId(): string {
  return randomUUID().replaceAll('-', '_');
}

/** Zoom does not document this header's format; any unique value will do for a simulation. */
export function zoomTrackingId(): string {
  return `WEBHOOK_${randomBytes(16).toString('hex')}`;
}

export function newDeliveryIds(): DeliveryIds {
  return { requestId: zoomRequestId(), trackingId: zoomTrackingId() };
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
    async send(body, ids = newDeliveryIds()) {
      const raw = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body), 'utf8');
      const timestamp = String(Math.floor(options.now() / 1000));
      const headers = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Zoom Marketplace/1.0a (qss-forwarder simulate)',
        'x-zm-request-timestamp': timestamp,
        'x-zm-signature': signZoomRequest(options.secret, timestamp, raw),
        'x-zm-request-id': ids.requestId,
        'x-zm-trackingid': ids.trackingId,
      };
      const started = performance.now();
      const signal = AbortSignal.timeout(timeout);
      try {
        const res = await pool.request({ method: 'POST', path, headers, body: raw, signal });
        const text = await res.body.text();
        return { ok: true, status: res.statusCode, latencyMs: performance.now() - started, body: text };
      } catch (err) {
        const e = err as { code?: string; message?: string; name?: string };
        const timedOut = signal.aborted || e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT';
        return { ok: false, latencyMs: performance.now() - started, error: timedOut ? 'timeout' : (e.code ?? e.message ?? 'request_failed') };
      }
    },
    async close() {
      await pool.close().catch(() => undefined);
    },
  };
}
