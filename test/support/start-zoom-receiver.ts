// A stand-in webhook endpoint for the simulate tests: a real node:http server on 127.0.0.1 that checks
// every request on its own (HMAC recomputed here with node:crypto, not with the code under test),
// answers the CRC the way Zoom expects, and otherwise answers with the status `respond` picks.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  event: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: { event: string; event_ts: number; payload: Record<string, unknown> };
  /** x-zm-signature is v0=HMAC(secret, "v0:" + timestamp + ":" + raw body). */
  signatureOk: boolean;
  /** x-zm-request-timestamp is whole epoch seconds within 30 s of now. */
  timestampOk: boolean;
  /** The body is compact JSON (what JSON.stringify writes). */
  compact: boolean;
  status: number;
}

export interface ZoomReceiver {
  url: string;
  received: ReceivedRequest[];
  count(event: string): number;
  close(): Promise<void>;
}

export interface ZoomReceiverOptions {
  secret: string;
  /** Status for a non-CRC request; default 200. `index` counts requests of that event, from 0. */
  respond?: (request: Omit<ReceivedRequest, 'status'>, index: number) => number;
  /** Secret for the CRC answer; default `secret`. Set another one to answer the CRC wrongly. */
  crcSecret?: string;
  /** Called once per request, after it was recorded. */
  onRequest?: (request: ReceivedRequest) => void;
  /** Answer this many ms late (default 0), e.g. to exceed the sender's timeout. */
  delayMs?: (request: ReceivedRequest) => number;
}

const hmacHex = (secret: string, message: string): string => createHmac('sha256', secret).update(message).digest('hex');

export async function startZoomReceiver(options: ZoomReceiverOptions): Promise<ZoomReceiver> {
  const received: ReceivedRequest[] = [];
  const count = (event: string): number => received.filter((r) => r.event === event).length;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-zm-request-timestamp'] ?? '');
      const signatureOk = req.headers['x-zm-signature'] === `v0=${hmacHex(options.secret, `v0:${timestamp}:${raw}`)}`;
      const timestampOk = /^\d{10}$/.test(timestamp) && Math.abs(Number(timestamp) - Date.now() / 1000) < 30;
      const body = JSON.parse(raw) as ReceivedRequest['body'];
      const seen = { event: body.event, headers: req.headers, raw, body, signatureOk, timestampOk, compact: JSON.stringify(body) === raw };
      let status: number;
      let answer = '';
      if (!signatureOk) status = 401;
      else if (body.event === 'endpoint.url_validation') {
        const plainToken = String((body.payload as { plainToken?: unknown }).plainToken);
        status = 200;
        answer = JSON.stringify({ plainToken, encryptedToken: hmacHex(options.crcSecret ?? options.secret, plainToken) });
      } else status = options.respond?.(seen, count(body.event)) ?? 200;
      const request = { ...seen, status };
      received.push(request);
      options.onRequest?.(request);
      const answerNow = (): void => {
        if (!res.destroyed) res.writeHead(status, answer === '' ? {} : { 'content-type': 'application/json' }).end(answer);
      };
      const late = options.delayMs?.(request) ?? 0;
      if (late > 0) setTimeout(answerNow, late).unref();
      else answerNow();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/zoom`,
    received,
    count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
