import { expect } from 'chai';
import { signZoomRequest, verifyZoomSignature, zoomCrcToken } from '../../../src/zoom/zoom-signature.ts';

// Test vectors from the Zoom reference notes §3.7 (checked there with `openssl dgst -sha256 -hmac`).
const SECRET = 'qss-example-secret';
const TS = '1626230691';
const BODY =
  '{"event":"meeting.participant_qos","event_ts":1626230691572,"payload":{"account_id":"AAAAAABBBB","object":{"uuid":"4444AAAiAAAAAiAiAiiAii==","participant":{"user_id":"1234567890","qos":[]}}}}';
const SIGNATURE = 'v0=76c96531d144447e43f8ba1bec5c09ab898f912a748b7f3200d024d4cb3f96f0';
const NOW = Number(TS) * 1000 + 1500;

const input = (over: Partial<Parameters<typeof verifyZoomSignature>[0]> = {}) => ({
  rawBody: Buffer.from(BODY),
  signatureHeader: SIGNATURE,
  timestampHeader: TS,
  secrets: [SECRET],
  nowMs: NOW,
  maxClockSkewSeconds: 300,
  ...over,
});

describe('zoom-signature', () => {
  describe('test vectors (Zoom README §3.7)', () => {
    it('the body vector is 191 bytes', () => expect(Buffer.byteLength(BODY)).to.equal(191));
    it('signs the body vector', () => expect(signZoomRequest(SECRET, TS, BODY)).to.equal(SIGNATURE));
    it('answers the CRC vector', () =>
      expect(zoomCrcToken(SECRET, 'qgg8vlvZRS6UYooatFL8Aw')).to.equal('274e5456558d6afb3d0cd6a81104e7cdd8d99fbbb43731515f13a6f9a6ba1c61'));
    it('verifies the body vector', () => expect(verifyZoomSignature(input())).to.deep.equal({ ok: true, secretIndex: 0 }));
  });

  describe('rotation', () => {
    it('accepts a previous secret and says which one matched', () =>
      expect(verifyZoomSignature(input({ secrets: ['new-secret', SECRET] }))).to.deep.equal({ ok: true, secretIndex: 1 }));
    it('refuses when no secret matches', () =>
      expect(verifyZoomSignature(input({ secrets: ['a', 'b'] }))).to.deep.equal({ ok: false, reason: 'bad_signature' }));
  });

  describe('rejections', () => {
    const cases: [string, Partial<Parameters<typeof verifyZoomSignature>[0]>, string][] = [
      ['no signature header', { signatureHeader: undefined }, 'missing_signature'],
      ['empty signature header', { signatureHeader: '' }, 'missing_signature'],
      ['signature without v0=', { signatureHeader: SIGNATURE.slice(3) }, 'malformed_signature'],
      ['signature in upper-case hex', { signatureHeader: SIGNATURE.toUpperCase() }, 'malformed_signature'],
      ['truncated signature', { signatureHeader: SIGNATURE.slice(0, -2) }, 'malformed_signature'],
      ['no timestamp', { timestampHeader: undefined }, 'missing_timestamp'],
      ['timestamp in milliseconds-looking garbage', { timestampHeader: '16262306915x' }, 'malformed_timestamp'],
      ['negative timestamp', { timestampHeader: '-5' }, 'malformed_timestamp'],
      ['timestamp 301 s old', { nowMs: (Number(TS) + 301) * 1000 }, 'stale_timestamp'],
      ['timestamp 301 s ahead', { nowMs: (Number(TS) - 301) * 1000 }, 'future_timestamp'],
      ['one byte of the body changed', { rawBody: Buffer.from(BODY.replace('AAAAAABBBB', 'AAAAAABBBC')) }, 'bad_signature'],
      ['re-serialised body (extra space)', { rawBody: Buffer.from(BODY.replace(':[]', ': []')) }, 'bad_signature'],
      ['timestamp changed (signature bound to it)', { timestampHeader: String(Number(TS) + 1) }, 'bad_signature'],
    ];
    for (const [name, over, reason] of cases) {
      it(`${name} → ${reason}`, () => expect(verifyZoomSignature(input(over))).to.deep.equal({ ok: false, reason }));
    }
    it('accepts a timestamp exactly at the edge of the window', () =>
      expect(verifyZoomSignature(input({ nowMs: (Number(TS) + 300) * 1000 })).ok).to.equal(true));
  });
});
