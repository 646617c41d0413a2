// Zoom webhook signatures (Zoom README §3.2–3.3). Pure: no clock, no I/O.
//   x-zm-signature = "v0=" + hex(HMAC-SHA256(secret, "v0:" + x-zm-request-timestamp + ":" + rawBody))
//   CRC answer     = hex(HMAC-SHA256(secret, plainToken))
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureFailure =
  | 'missing_signature'
  | 'malformed_signature'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'bad_signature';

export type SignatureCheck =
  | { ok: true; secretIndex: number }
  | { ok: false; reason: SignatureFailure };

export interface SignatureInput {
  rawBody: Buffer;
  signatureHeader: string | undefined;
  timestampHeader: string | undefined;
  /** The current secret first, then any previous secrets accepted during a rotation. */
  secrets: readonly string[];
  nowMs: number;
  maxClockSkewSeconds: number;
}

const SIGNATURE_RE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP_RE = /^[0-9]{1,12}$/;

export function signZoomRequest(secret: string, timestamp: string, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestamp}:`);
  mac.update(rawBody);
  return `v0=${mac.digest('hex')}`;
}

export function zoomCrcToken(secret: string, plainToken: string): string {
  return createHmac('sha256', secret).update(plainToken).digest('hex');
}

/** Checks headers, replay window and HMAC. Compares digests in constant time over the raw bytes. */
export function verifyZoomSignature(input: SignatureInput): SignatureCheck {
  const { signatureHeader, timestampHeader } = input;
  if (signatureHeader === undefined || signatureHeader === '') return { ok: false, reason: 'missing_signature' };
  if (!SIGNATURE_RE.test(signatureHeader)) return { ok: false, reason: 'malformed_signature' };
  if (timestampHeader === undefined || timestampHeader === '') return { ok: false, reason: 'missing_timestamp' };
  if (!TIMESTAMP_RE.test(timestampHeader)) return { ok: false, reason: 'malformed_timestamp' };
  const skewSeconds = Number(timestampHeader) - input.nowMs / 1000;
  if (skewSeconds < -input.maxClockSkewSeconds) return { ok: false, reason: 'stale_timestamp' };
  if (skewSeconds > input.maxClockSkewSeconds) return { ok: false, reason: 'future_timestamp' };
  const given = Buffer.from(signatureHeader.slice(3), 'hex');
  for (let i = 0; i < input.secrets.length; i++) {
    const expected = createHmac('sha256', input.secrets[i] as string)
      .update(`v0:${timestampHeader}:`)
      .update(input.rawBody)
      .digest();
    if (timingSafeEqual(expected, given)) return { ok: true, secretIndex: i };
  }
  return { ok: false, reason: 'bad_signature' };
}
