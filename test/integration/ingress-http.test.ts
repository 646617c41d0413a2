// The webhook ingress over real HTTP, in a real `serve` process: CRC, signatures, every bad input
// (status, code, nothing stored), multiple apps with rotation, admin endpoints, and log hygiene.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startForwarder, writeConfig, type Forwarder, type ForwarderFiles } from '../support/start-forwarder.ts';
import { eventually, nowSeconds, postSigned, zoomSignature } from '../support/signed-request.ts';

const SECRET = 'qss-example-secret';
const SECOND = 'second-app-secret';
const SECOND_OLD = 'second-app-old-secret';
const MARKER = 'BODY-MARKER-7f3a';
const event = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event: 'meeting.participant_qos', event_ts: Date.now(), payload: { account_id: 'acc-1', object: { uuid: 'u1==', participant: { user_id: '1', qos: [], note: MARKER } } }, ...extra });

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : [];
}

/** Sends a raw HTTP request with full control of headers (chunked bodies, no content-type...). */
function rawRequest(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; chunks?: Buffer[] }): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/webhooks/zoom', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    for (const c of options.chunks ?? []) req.write(c);
    req.end();
  });
}

describe('ingress over HTTP (real serve process)', function () {
  this.timeout(30000);
  let files: ForwarderFiles;
  let fwd: Forwarder;
  let url: string;

  before(async () => {
    files = writeConfig();
    const base = readFileSync(files.config, 'utf8');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(files.config, `${base}zoom:\n  apps:\n    default: {}\n    second:\n      secret_token: ${SECOND}\n      previous_secret_tokens: [${SECOND_OLD}]\n`);
    fwd = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    url = `${fwd.url}/webhooks/zoom`;
  });
  after(async () => {
    await fwd?.stop();
  });

  describe('CRC (endpoint.url_validation)', () => {
    const crc = '{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}';
    it('answers a signed CRC with the Zoom README §3.7 vector', async () => {
      const res = await postSigned(url, crc, { secret: SECRET });
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.equal({ plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: '274e5456558d6afb3d0cd6a81104e7cdd8d99fbbb43731515f13a6f9a6ba1c61' });
    });
    it('refuses an unsigned CRC with 401 (no HMAC oracle)', async () => {
      const res = await postSigned(url, crc);
      expect([res.status, res.json.code]).to.deep.equal([401, 'ZQ_ERR_INGRESS_MISSING_SIGNATURE']);
      expect(JSON.stringify(res.json)).to.not.include('encryptedToken');
    });
    it('refuses a CRC signed with another secret with 401', async () => {
      expect((await postSigned(url, crc, { secret: 'guess' })).status).to.equal(401);
    });
    it('refuses an absurd plainToken (too long, not a string) with 400', async () => {
      for (const token of ['x'.repeat(300), 42, { a: 1 }, '', 'has space']) {
        const body = JSON.stringify({ payload: { plainToken: token }, event_ts: 1, event: 'endpoint.url_validation' });
        const res = await postSigned(url, body, { secret: SECRET });
        expect([res.status, res.json.code], JSON.stringify(token)).to.deep.equal([400, 'ZQ_ERR_INGRESS_BAD_PLAIN_TOKEN']);
      }
    });
    it('answers a second app\'s CRC with that app\'s secret', async () => {
      const res = await postSigned(`${url}/second`, crc, { secret: SECOND });
      expect(res.json.encryptedToken).to.equal(
        (await import('node:crypto')).createHmac('sha256', SECOND).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
      );
    });
  });

  describe('bad input: each gets its status and code, and nothing is stored', () => {
    const results: { name: string; status: number; code: unknown; body: string }[] = [];
    const big = Buffer.alloc(1048577, 0x20);
    const ts = nowSeconds();
    const cases: { name: string; status: number; code: string; send: () => Promise<{ status: number; body: string }> }[] = [
      { name: 'not JSON', status: 400, code: 'ZQ_ERR_INGRESS_INVALID_JSON', send: () => post('{"event": nope', SECRET) },
      { name: 'JSON array', status: 400, code: 'ZQ_ERR_INGRESS_NOT_AN_OBJECT', send: () => post('[{"event":"x"}]', SECRET) },
      { name: 'JSON string', status: 400, code: 'ZQ_ERR_INGRESS_NOT_AN_OBJECT', send: () => post('"meeting.participant_qos"', SECRET) },
      { name: 'no event', status: 400, code: 'ZQ_ERR_INGRESS_MISSING_EVENT', send: () => post(`{"payload":{"x":"${MARKER}"}}`, SECRET) },
      { name: 'event not a string', status: 400, code: 'ZQ_ERR_INGRESS_MISSING_EVENT', send: () => post('{"event":7}', SECRET) },
      { name: 'empty body', status: 400, code: 'ZQ_ERR_INGRESS_INVALID_JSON', send: () => post('', SECRET) },
      { name: 'invalid UTF-8', status: 400, code: 'ZQ_ERR_INGRESS_INVALID_UTF8', send: () => post(Buffer.from([0x7b, 0x22, 0x65, 0x76, 0xff, 0xfe, 0x7d]), SECRET) },
      { name: 'no signature', status: 401, code: 'ZQ_ERR_INGRESS_MISSING_SIGNATURE', send: () => post(event(), undefined) },
      { name: 'wrong secret', status: 401, code: 'ZQ_ERR_INGRESS_BAD_SIGNATURE', send: () => post(event(), 'not-the-secret') },
      { name: 'signature of another body', status: 401, code: 'ZQ_ERR_INGRESS_BAD_SIGNATURE', send: () => postWith(event(), { 'x-zm-signature': zoomSignature(SECRET, ts, '{"event":"other"}'), 'x-zm-request-timestamp': ts }) },
      { name: 'garbled signature', status: 401, code: 'ZQ_ERR_INGRESS_MALFORMED_SIGNATURE', send: () => postWith(event(), { 'x-zm-signature': 'v0=zzzz', 'x-zm-request-timestamp': ts }) },
      { name: 'no timestamp', status: 401, code: 'ZQ_ERR_INGRESS_MISSING_TIMESTAMP', send: () => postWith(event(), { 'x-zm-signature': zoomSignature(SECRET, ts, event()) }) },
      { name: 'timestamp in ms', status: 401, code: 'ZQ_ERR_INGRESS_MALFORMED_TIMESTAMP', send: () => { const b = event(); const t = String(Date.now()); return postWith(b, { 'x-zm-signature': zoomSignature(SECRET, t, b), 'x-zm-request-timestamp': t }); } },
      { name: 'stale timestamp (400 s old)', status: 401, code: 'ZQ_ERR_INGRESS_STALE_TIMESTAMP', send: () => post(event(), SECRET, String(Number(nowSeconds()) - 400)) },
      { name: 'future timestamp (400 s ahead)', status: 401, code: 'ZQ_ERR_INGRESS_FUTURE_TIMESTAMP', send: () => post(event(), SECRET, String(Number(nowSeconds()) + 400)) },
      { name: 'second app signed with the default app secret', status: 401, code: 'ZQ_ERR_INGRESS_BAD_SIGNATURE', send: () => post(event(), SECRET, undefined, '/webhooks/zoom/second') },
      { name: 'body over max_body_bytes (Content-Length)', status: 413, code: 'ZQ_ERR_INGRESS_BODY_TOO_LARGE', send: () => post(big, SECRET) },
      { name: 'body over max_body_bytes (chunked)', status: 413, code: 'ZQ_ERR_INGRESS_BODY_TOO_LARGE', send: () => rawRequest(fwd.port, { headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': nowSeconds(), 'x-zm-signature': zoomSignature(SECRET, nowSeconds(), big) }, chunks: [big.subarray(0, 600000), big.subarray(600000)] }) },
      { name: 'text/plain', status: 415, code: 'ZQ_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE', send: () => post(event(), SECRET, undefined, undefined, 'text/plain') },
      { name: 'no content-type', status: 415, code: 'ZQ_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE', send: () => rawRequest(fwd.port, { chunks: [Buffer.from(event())] }) },
      { name: 'gzip-encoded body', status: 415, code: 'ZQ_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE', send: () => rawRequest(fwd.port, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, chunks: [Buffer.from('x')] }) },
      { name: 'GET', status: 405, code: 'ZQ_ERR_INGRESS_METHOD_NOT_ALLOWED', send: () => rawRequest(fwd.port, { method: 'GET' }) },
      { name: 'PUT to an app', status: 405, code: 'ZQ_ERR_INGRESS_METHOD_NOT_ALLOWED', send: () => rawRequest(fwd.port, { method: 'PUT', path: '/webhooks/zoom/second' }) },
      { name: 'unknown path', status: 404, code: 'ZQ_ERR_INGRESS_NOT_FOUND', send: () => rawRequest(fwd.port, { path: '/webhook' }) },
      { name: 'unknown app', status: 404, code: 'ZQ_ERR_INGRESS_UNKNOWN_APP', send: () => post(event(), SECRET, undefined, '/webhooks/zoom/nope') },
    ];

    async function post(body: string | Buffer, secret: string | undefined, timestamp?: string, path = '/webhooks/zoom', contentType?: string) {
      const res = await postSigned(`${fwd.url}${path}`, body, { ...(secret ? { secret } : {}), ...(timestamp ? { timestamp } : {}), ...(contentType ? { contentType } : {}) });
      return { status: res.status, body: JSON.stringify(res.json) };
    }
    async function postWith(body: string, headers: Record<string, string>) {
      return rawRequest(fwd.port, { headers: { 'content-type': 'application/json', ...headers }, chunks: [Buffer.from(body)] });
    }

    before(async () => {
      for (const c of cases) {
        const res = await c.send();
        let code: unknown;
        try {
          code = (JSON.parse(res.body) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        results.push({ name: c.name, status: res.status, code, body: res.body });
      }
    });

    for (const c of cases) {
      it(`${c.name} → ${c.status} ${c.code}`, () => {
        const r = results.find((x) => x.name === c.name)!;
        expect([r.status, r.code]).to.deep.equal([c.status, c.code]);
        const body = JSON.parse(r.body) as Record<string, unknown>;
        expect(Object.keys(body).sort()).to.deep.equal(['code', 'error']);
        expect(r.body).to.not.match(/\bat .*\.ts:\d+|Error:/);
        expect(r.body).to.not.include(MARKER);
      });
    }

    it('GET answers with Allow: POST', async () => {
      const res = await rawRequest(fwd.port, { method: 'GET' });
      expect(res.headers.allow).to.equal('POST');
    });

    it('none of them was stored: only the one good event after them reaches the sink', async () => {
      const good = event({ marker: 'the-good-one' });
      const res = await postSigned(url, good, { secret: SECRET, headers: { 'x-zm-request-id': 'req-42', 'x-zm-trackingid': 'track-42' } });
      expect(res.status).to.equal(200);
      const stored = await eventually(() => {
        const l = lines(files.eventsFile);
        return l.some((x) => x.includes('the-good-one')) ? l : undefined;
      });
      const crcAndGood = stored.map((l) => JSON.parse(l) as { body: string; request_id: string; tracking_id: string });
      expect(crcAndGood.filter((r) => r.body.includes(MARKER) && !r.body.includes('the-good-one'))).to.have.length(0);
      expect(crcAndGood.find((r) => r.body === good)).to.include({ request_id: 'req-42', tracking_id: 'track-42' });
    });
  });

  describe('apps and rotation', () => {
    it('accepts the second app with its current and its previous secret', async () => {
      expect((await postSigned(`${url}/second`, event({ n: 'cur' }), { secret: SECOND })).status).to.equal(200);
      expect((await postSigned(`${url}/second`, event({ n: 'old' }), { secret: SECOND_OLD })).status).to.equal(200);
      const stored = await eventually(() => {
        const recs = lines(files.eventsFile).map((l) => JSON.parse(l) as { app: string; body: string });
        const second = recs.filter((r) => r.app === 'second');
        return second.length === 2 ? second : undefined;
      });
      expect(stored.map((r) => (JSON.parse(r.body) as { n: string }).n)).to.deep.equal(['cur', 'old']);
    });
    it('/webhooks/zoom/default is the default app', async () => {
      expect((await postSigned(`${url}/default`, event(), { secret: SECRET })).status).to.equal(200);
    });
    it('accepts event types it does not know yet', async () => {
      expect((await postSigned(url, JSON.stringify({ event: 'meeting.future_thing', payload: {} }), { secret: SECRET })).status).to.equal(200);
    });
  });

  describe('admin listener', () => {
    it('/healthz and /readyz answer 200', async () => {
      expect((await fetch(`${fwd.adminUrl}/healthz`)).status).to.equal(200);
      const ready = await fetch(`${fwd.adminUrl}/readyz`);
      expect([ready.status, await ready.json()]).to.deep.equal([200, { status: 'ready', detail: 'ok' }]);
    });
    it('/metrics counts requests by app, outcome and reason, CRC answers, acks, bus writes and deliveries', async () => {
      await rawRequest(fwd.port, { method: 'GET', path: '/webhooks/zoom/made-up-app-name' });
      const text = await (await fetch(`${fwd.adminUrl}/metrics`)).text();
      expect(text, 'label values come from config only').to.not.include('made-up-app-name');
      expect(text).to.match(/qss_forwarder_ingress_requests_total\{app="unknown",outcome="rejected",reason="ZQ_ERR_INGRESS_METHOD_NOT_ALLOWED"\} 1/);
      expect(text).to.match(/qss_forwarder_ingress_requests_total\{app="default",outcome="rejected",reason="ZQ_ERR_INGRESS_BAD_SIGNATURE"\} [1-9]/);
      expect(text).to.match(/qss_forwarder_ingress_requests_total\{app="unknown",outcome="rejected",reason="ZQ_ERR_INGRESS_UNKNOWN_APP"\} 1/);
      expect(text).to.match(/qss_forwarder_ingress_crc_total\{app="default",outcome="answered"\} 1/);
      expect(text).to.match(/qss_forwarder_ingress_ack_seconds_count\{app="default"\} [1-9]/);
      expect(text).to.match(/qss_forwarder_bus_writes_total [1-9]/);
      expect(text).to.match(/qss_forwarder_sink_events_delivered_total\{sink="events_file"\} [1-9]/);
      expect(text).to.include('qss_forwarder_sink_failures_total');
    });
  });

  it('never logs a secret, a signature or a body', () => {
    const all = fwd.logs.join('\n');
    expect(all.length).to.be.greaterThan(0);
    for (const needle of [SECRET, SECOND, SECOND_OLD, 'v0=', MARKER, 'the-good-one', 'qgg8vlvZRS6UYooatFL8Aw']) expect(all).to.not.include(needle);
  });
});
