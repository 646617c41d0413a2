// One signed Zoom webhook, from raw bytes to an answer. Verifies first (over the raw bytes, in
// constant time), then parses; answers a CRC itself; publishes anything else to the bus and
// answers 200 only once the bus has made it durable. An exact replay of an accepted event (same
// signature, so same body and timestamp) is answered 200 without being stored again; a copy that
// arrives while the first is still being stored gets the first one's answer. No HTTP framework
// here: the Express route reads the body and sends what this returns.
import { isUtf8 } from 'node:buffer';
import type { Bus, PublishFailure } from '../bus/bus.ts';
import { pickZoomHeaderMeta, type ZoomHeaderMeta } from '../bus/record-meta.ts';
import type { RejectionCode } from '../errors.ts';
import { verifyZoomSignature, zoomCrcToken, type SignatureFailure } from '../zoom/zoom-signature.ts';
import { parseZoomBody, type ZoomEventMetadata } from '../zoom/zoom-event-metadata.ts';
import { replayKey, type ReplayCache } from './replay-cache.ts';

export const CRC_EVENT = 'endpoint.url_validation';
const PLAIN_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export type WebhookAnswer =
  | { kind: 'accepted'; id: string }
  | { kind: 'duplicate' }
  | { kind: 'crc'; plainToken: string; encryptedToken: string }
  | { kind: 'rejected'; code: RejectionCode };

/** requestId, trackingId: from Zoom's request headers (record-meta.ts says which). */
export interface WebhookRequest extends ZoomHeaderMeta {
  app: string;
  /** The current secret first, then previous ones still accepted. */
  secrets: readonly string[];
  /** The app's signatures of accepted events, within their replay window. */
  replays: ReplayCache;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
}

export interface WebhookHandlerDeps {
  bus: Bus;
  maxClockSkewSeconds: number;
  now: () => number;
}

const SIGNATURE_CODES: Record<SignatureFailure, RejectionCode> = {
  missing_signature: 'ZQ_ERR_INGRESS_MISSING_SIGNATURE',
  malformed_signature: 'ZQ_ERR_INGRESS_MALFORMED_SIGNATURE',
  missing_timestamp: 'ZQ_ERR_INGRESS_MISSING_TIMESTAMP',
  malformed_timestamp: 'ZQ_ERR_INGRESS_MALFORMED_TIMESTAMP',
  stale_timestamp: 'ZQ_ERR_INGRESS_STALE_TIMESTAMP',
  future_timestamp: 'ZQ_ERR_INGRESS_FUTURE_TIMESTAMP',
  bad_signature: 'ZQ_ERR_INGRESS_BAD_SIGNATURE',
};

const PARSE_CODES = {
  invalid_json: 'ZQ_ERR_INGRESS_INVALID_JSON',
  not_an_object: 'ZQ_ERR_INGRESS_NOT_AN_OBJECT',
  missing_event: 'ZQ_ERR_INGRESS_MISSING_EVENT',
} as const satisfies Record<string, RejectionCode>;

const PUBLISH_CODES: Record<PublishFailure, RejectionCode> = {
  full: 'ZQ_ERR_BUS_FULL',
  disk_low: 'ZQ_ERR_BUS_DISK_LOW',
  closed: 'ZQ_ERR_BUS_UNAVAILABLE',
  storage_error: 'ZQ_ERR_BUS_WRITE_FAILED',
};

function crcAnswer(body: Record<string, unknown>, secret: string): WebhookAnswer {
  const payload = body.payload;
  const plainToken = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>).plainToken : undefined;
  if (typeof plainToken !== 'string' || !PLAIN_TOKEN.test(plainToken)) return { kind: 'rejected', code: 'ZQ_ERR_INGRESS_BAD_PLAIN_TOKEN' };
  return { kind: 'crc', plainToken, encryptedToken: zoomCrcToken(secret, plainToken) };
}

export function createWebhookHandler(deps: WebhookHandlerDeps): (request: WebhookRequest) => Promise<WebhookAnswer> {
  /** Events being stored, by app and replay key: a copy waits for the first one's outcome. */
  const storing = new Map<string, Promise<WebhookAnswer>>();
  return async (request) => {
    const check = verifyZoomSignature({
      rawBody: request.rawBody,
      signatureHeader: request.signature,
      timestampHeader: request.timestamp,
      secrets: request.secrets,
      nowMs: deps.now(),
      maxClockSkewSeconds: deps.maxClockSkewSeconds,
    });
    if (!check.ok) return { kind: 'rejected', code: SIGNATURE_CODES[check.reason] };
    // Verified: the signature header is `v0=<64 hex>`, the timestamp epoch seconds in the window.
    const key = replayKey(request.signature!);
    if (request.replays.has(key)) return { kind: 'duplicate' };
    const storingKey = `${request.app}\n${key}`;
    const first = storing.get(storingKey);
    if (first !== undefined) {
      const answer = await first;
      return answer.kind === 'accepted' ? { kind: 'duplicate' } : answer;
    }
    if (!isUtf8(request.rawBody)) return { kind: 'rejected', code: 'ZQ_ERR_INGRESS_INVALID_UTF8' };
    const parsed = parseZoomBody(request.rawBody.toString('utf8'));
    if (!parsed.ok) return { kind: 'rejected', code: PARSE_CODES[parsed.reason] };
    if (parsed.meta.event === CRC_EVENT) return crcAnswer(parsed.body, request.secrets[check.secretIndex]!);
    // Remembered only once durable (a copy of an event answered 503 must be stored when retried),
    // and before it stops being "in progress", so that no copy slips between the two.
    const stored = publish(request, parsed.meta).then((answer) => {
      if (answer.kind === 'accepted') request.replays.remember(key, Number(request.timestamp) + deps.maxClockSkewSeconds);
      return answer;
    });
    storing.set(storingKey, stored);
    try {
      return await stored;
    } finally {
      storing.delete(storingKey);
    }
  };

  async function publish(request: WebhookRequest, meta: ZoomEventMetadata): Promise<WebhookAnswer> {
    const outcome = await deps.bus.publish({
      body: request.rawBody,
      meta: {
        app: request.app,
        event: meta.event,
        accountId: meta.accountId,
        instanceKey: meta.instanceKey,
        receivedAt: deps.now(),
        ...pickZoomHeaderMeta(request),
      },
    });
    return outcome.ok ? { kind: 'accepted', id: outcome.id } : { kind: 'rejected', code: PUBLISH_CODES[outcome.reason] };
  }
}
