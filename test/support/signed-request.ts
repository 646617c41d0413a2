// Builds and sends signed Zoom webhook requests. Signs with node:crypto directly (not our own
// signing helper), so the tests check the ingress against Zoom's algorithm, not against itself.
import { createHmac } from 'node:crypto';

export function zoomSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

export function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

export interface PostOptions {
  secret?: string;
  timestamp?: string;
  headers?: Record<string, string>;
  contentType?: string;
}

export async function postSigned(url: string, body: Buffer | string, options: PostOptions = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const timestamp = options.timestamp ?? nowSeconds();
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json; charset=utf-8', 'x-zm-request-timestamp': timestamp };
  if (options.secret !== undefined) headers['x-zm-signature'] = zoomSignature(options.secret, timestamp, body);
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { ...headers, ...options.headers } });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: res.status, json, headers: res.headers };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
