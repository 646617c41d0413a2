// The webhook ingress over real HTTP, in a real `serve` process: CRC, signatures, every bad input
// (status, code, nothing stored), multiple apps with rotation, admin endpoints, and log hygiene.
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Client } from 'undici';
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

/** The value of one series in Prometheus text (0 when absent). */
async function metric(adminUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** The Zoom bodies the file sink wrote. */
function storedBodies(path: string): Record<string, unknown>[] {
  return lines(path).map((l) => JSON.parse((JSON.parse(l) as { body: string }).body) as Record<string, unknown>);
}

/** A raw connection that collects what it receives and how it ends. */
function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; errors: string[]; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const errors: string[] = [];
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.once('connect', () => resolve({ socket, received: () => received, errors, closed }));
    socket.once('error', reject);
  });
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

  describe('exact replays', () => {
    it('answers a replay of an accepted event (same body, timestamp, signature) 200 without storing it again, and counts it', async () => {
      const body = event({ marker: 'replayed' });
      const timestamp = nowSeconds();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await postSigned(url, body, { secret: SECRET, timestamp })).status);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200]);
      // The file sink writes in bus order: once an event sent after them is there, they all are.
      expect((await postSigned(url, event({ marker: 'after-replays' }), { secret: SECRET })).status).to.equal(200);
      await eventually(() => (storedBodies(files.eventsFile).some((b) => b.marker === 'after-replays') ? true : undefined));
      expect(storedBodies(files.eventsFile).filter((b) => b.marker === 'replayed')).to.have.length(1);
      expect(await metric(fwd.adminUrl, 'qss_forwarder_ingress_requests_total{app="default",outcome="duplicate",reason=""}')).to.equal(4);
      expect(await metric(fwd.adminUrl, 'qss_forwarder_ingress_replay_cache_entries')).to.be.greaterThan(0);
    });
  });

  describe('answers always arrive', () => {
    const TOO_LARGE = 'qss_forwarder_ingress_requests_total{app="default",outcome="rejected",reason="ZQ_ERR_INGRESS_BODY_TOO_LARGE"}';
    const headers = (length: number, extra = '') => `POST /webhooks/zoom HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

    it('a client still uploading when the 413 comes, and slow to read it, gets the 413 (lingering close), not a reset', async () => {
      const before = await metric(fwd.adminUrl, TOO_LARGE);
      const c = await rawConnection(fwd.port);
      c.socket.pause(); // a busy client: it reads nothing for now
      c.socket.write(headers(2_000_000));
      c.socket.write(Buffer.alloc(256 * 1024, 0x20));
      // The 413 has gone out (and, with an immediate close, the socket with it); the client sends on.
      await eventually(async () => ((await metric(fwd.adminUrl, TOO_LARGE)) > before ? true : undefined));
      c.socket.write(Buffer.alloc(256 * 1024, 0x20));
      c.socket.resume();
      await c.closed;
      expect(c.errors).to.deep.equal([]);
      expect(c.received()).to.match(/^HTTP\/1\.1 413 /);
      expect(c.received().toLowerCase()).to.include('connection: close');
    });

    it('Expect: 100-continue with a Content-Length over max_body_bytes gets 413 at once, not 100 Continue', async () => {
      const c = await rawConnection(fwd.port);
      c.socket.write(headers(2_000_000, 'Expect: 100-continue\r\n'));
      await c.closed;
      expect(c.errors).to.deep.equal([]);
      expect(c.received()).to.match(/^HTTP\/1\.1 413 /);
      expect(c.received()).to.not.include('100 Continue');
    });

    it('Expect: 100-continue within the limit gets 100 Continue, then the answer to the body', async () => {
      const body = event({ marker: 'expect-continue' });
      const ts = nowSeconds();
      const c = await rawConnection(fwd.port);
      c.socket.write(headers(Buffer.byteLength(body), `Expect: 100-continue\r\nConnection: close\r\nx-zm-request-timestamp: ${ts}\r\nx-zm-signature: ${zoomSignature(SECRET, ts, body)}\r\n`));
      await eventually(() => (c.received().includes('\r\n\r\n') ? true : undefined));
      expect(c.received()).to.match(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
      c.socket.write(body);
      await c.closed;
      expect(c.received()).to.match(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
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

  // Last (mocha runs a suite's own tests before its nested ones): these read every log line above.
  describe('logs', () => {
    it('warns about signatures that do not match and timestamps off the clock, once per app and kind, naming what to check', () => {
      const warnings = fwd.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 40 && typeof l.hint === 'string');
      const signature = warnings.filter((l) => l.msg === 'webhook signatures do not match the app\'s Secret Token');
      expect(signature.map((l) => [l.app, l.setting, l.requests])).to.deep.equal([
        ['default', 'zoom.apps.default.secret_token', 1],
        ['second', 'zoom.apps.second.secret_token', 1],
      ]);
      expect(signature[0]!.hint).to.include('ZOOM_WEBHOOK_SECRET_TOKEN').and.include('previous_secret_tokens');
      const clock = warnings.filter((l) => l.msg === 'webhook timestamps are outside the replay window: check the clock');
      expect(clock.map((l) => [l.app, l.setting])).to.deep.equal([['default', 'server.max_clock_skew_seconds']]);
    });

    it('never logs a secret, a signature or a body', () => {
      const all = fwd.logs.join('\n');
      expect(all.length).to.be.greaterThan(0);
      for (const needle of [SECRET, SECOND, SECOND_OLD, 'v0=', MARKER, 'the-good-one', 'qgg8vlvZRS6UYooatFL8Aw']) expect(all).to.not.include(needle);
    });
  });
});

describe('SIGTERM under keep-alive load (real serve process)', function () {
  this.timeout(90000);

  it('answers every request that was sent (200, or 503 with Retry-After), resets none, tells every connection to close, and loses no acknowledged event', async () => {
    const files = writeConfig();
    writeFileSync(files.config, readFileSync(files.config, 'utf8').replace('shutdown_drain_ms: 200', 'shutdown_drain_ms: 2000'));
    const fwd = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    const CONNECTIONS = 8;
    const outcomes: { marker: string; status?: number; retryAfter?: unknown; close?: boolean; error?: string }[] = [];
    // Each loop is one keep-alive connection sending its next request as soon as the last is
    // answered; told Connection: close, it stops (a load balancer would go to another replica).
    const loops = Array.from({ length: CONNECTIONS }, async (_, c) => {
      const client = new Client(fwd.url, { pipelining: 1 });
      try {
        for (let i = 0; ; i++) {
          const marker = `sigterm-${c}-${i}`;
          const body = JSON.stringify({ event: 'meeting.participant_qos', payload: { marker } });
          const ts = nowSeconds();
          try {
            const res = await client.request({ method: 'POST', path: '/webhooks/zoom', headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, body) }, body });
            await res.body.text();
            const close = res.headers.connection === 'close';
            outcomes.push({ marker, status: res.statusCode, retryAfter: res.headers['retry-after'], close });
            if (close) return;
          } catch (err) {
            outcomes.push({ marker, error: (err as NodeJS.ErrnoException).code ?? String(err) });
            return;
          }
        }
      } finally {
        await client.destroy();
      }
    });
    await eventually(() => (outcomes.length >= CONNECTIONS * 20 ? true : undefined), 30000);
    const exitCode = await fwd.stop('SIGTERM');
    await Promise.all(loops);
    expect(exitCode).to.equal(0);
    expect(outcomes.filter((o) => o.error !== undefined), 'requests sent and never answered').to.deep.equal([]);
    expect(outcomes.filter((o) => !(o.status === 200 || (o.status === 503 && o.retryAfter !== undefined)))).to.deep.equal([]);
    expect(outcomes.filter((o) => o.close === true)).to.have.length(CONNECTIONS);
    // Nothing acknowledged is lost: on the same store, every event answered 200 reaches the sink.
    const accepted = outcomes.filter((o) => o.status === 200).map((o) => o.marker);
    const again = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET });
    try {
      const missing = (): string[] => {
        const stored = new Set(storedBodies(files.eventsFile).map((b) => (b.payload as { marker: string }).marker));
        return accepted.filter((m) => !stored.has(m));
      };
      await eventually(() => (missing().length === 0 ? true : undefined), 30000).catch(() => undefined);
      expect(missing()).to.deep.equal([]);
    } finally {
      await again.stop();
    }
  });
});

describe('connection cap under a low open-file limit (real serve process)', function () {
  this.timeout(120000);

  it('under ulimit -n 256, 300 idle connections do not stop a sinks.yaml reload or a valid request; connections that never send a byte are cut', async () => {
    const files = writeConfig();
    const second = `${files.dir}/second.jsonl`;
    writeFileSync(
      files.config,
      readFileSync(files.config, 'utf8').replace('  port: 0\n  shutdown_drain_ms: 200\n', '  port: 0\n  shutdown_drain_ms: 200\n  request_timeout_ms: 30000\n').replace('worker:\n', 'worker:\n  sinks_reload_interval_ms: 200\n'),
    );
    const fwd = await startForwarder(files, { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }, 15000, 'serve', { openFileLimit: 256 });
    const idle: { socket: Socket; closed: boolean }[] = [];
    try {
      // 300 connections that never send a byte.
      await Promise.all(
        Array.from({ length: 300 }, () => new Promise<void>((resolve) => {
          const c = { socket: connect(fwd.port, '127.0.0.1'), closed: false };
          idle.push(c);
          c.socket.on('data', () => undefined);
          c.socket.on('error', () => undefined);
          c.socket.once('connect', () => resolve());
          c.socket.once('close', () => ((c.closed = true), resolve()));
        })),
      );
      // While they are held, sinks.yaml gains a second file sink: the reload applies.
      writeFileSync(files.sinks, `sinks:\n  events_file:\n    type: file\n    path: ${files.eventsFile}\n  second_file:\n    type: file\n    path: ${second}\n`);
      await eventually(async () => ((await metric(fwd.adminUrl, 'qss_forwarder_config_reloads_total{result="applied"}')) >= 1 ? true : undefined), 15000);
      // A valid request on a new connection is answered (the idle one longest makes room) and reaches the new sink.
      const body = event({ marker: 'past-the-idle-crowd' });
      expect((await postSigned(`${fwd.url}/webhooks/zoom`, body, { secret: SECRET })).status).to.equal(200);
      await eventually(() => (storedBodies(second).some((b) => b.marker === 'past-the-idle-crowd') ? true : undefined), 15000);
      expect(fwd.logs.join('\n')).to.not.include('EMFILE');
      // The cap held: lowered to what the limit leaves, the idle ones shed to make room.
      const lowered = fwd.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.setting === 'server.max_connections');
      expect(lowered).to.include({ configured: 1024, effective: 64, open_file_limit: 256 });
      expect(await metric(fwd.adminUrl, 'qss_forwarder_listener_connections_closed_total{listener="webhook",reason="idle_shed"}')).to.be.at.least(300 - 64);
      // Those left are cut by the server after the header timeout (min(request_timeout_ms, 60 s)).
      await eventually(() => (idle.every((c) => c.closed) ? true : undefined), 60000);
    } finally {
      for (const c of idle) c.socket.destroy();
      await fwd.stop();
    }
  });
});
