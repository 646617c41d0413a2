// Self-test of the Datadog conformance receiver: the sink tests trust it, so every rule it enforces
// (sink-protocols.md §2.2, §2.4, §2.7) is shown here to both accept the right thing and catch the wrong one.
import { expect } from 'chai';
import { deflateSync, gzipSync } from 'node:zlib';
import { DATADOG_LIMITS, startDatadogReceiver, tagProblem, type DatadogReceiver } from '../../support/receivers/datadog-receiver.ts';

const KEY = 'dd-test-key-1';
const NOW_MS = 1_760_000_000_500;
const NOW = Math.floor(NOW_MS / 1000);

interface PostOptions {
  /** DD-API-KEY; null leaves the header out. */
  key?: string | null;
  encoding?: string;
  contentType?: string | null;
  method?: string;
  query?: string;
}

interface Answer {
  status: number;
  json: unknown;
  headers: Headers;
}

/** Fastest gzip level: the 5 MiB bodies below stay quick to build. */
const encode = (body: Buffer, encoding: string | undefined): Buffer => (encoding === 'gzip' ? gzipSync(body, { level: 1 }) : encoding === 'deflate' ? deflateSync(body) : body);

function gauge(metric: string, points: { timestamp: unknown; value: unknown }[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { metric, type: 3, points, tags: ['meeting_id:abc', 'qos_type:audio_input'], ...extra };
}

describe('Datadog conformance receiver', () => {
  let receiver: DatadogReceiver;
  beforeEach(async () => {
    receiver = await startDatadogReceiver({ apiKeys: [KEY, 'dd-test-key-2'], now: () => NOW_MS });
  });
  afterEach(async () => {
    await receiver.close();
  });

  async function post(path: string, body: unknown, options: PostOptions = {}): Promise<Answer> {
    const text = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
    const encoded = encode(text, options.encoding);
    const headers: Record<string, string> = {};
    if (options.key !== null) headers['dd-api-key'] = options.key ?? KEY;
    if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
    if (options.encoding !== undefined) headers['content-encoding'] = options.encoding;
    const res = await fetch(`${receiver.url}${path}${options.query ?? ''}`, {
      method: options.method ?? 'POST',
      headers,
      body: options.method === 'GET' ? undefined : new Uint8Array(encoded),
    });
    const raw = await res.text();
    let json: unknown = raw;
    try {
      json = JSON.parse(raw);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, json, headers: res.headers };
  }
  const series = (body: unknown, options?: PostOptions): Promise<Answer> => post('/api/v2/series', body, options);
  const logs = (body: unknown, options?: PostOptions): Promise<Answer> => post('/api/v2/logs', body, options);

  describe('metrics (POST /api/v2/series)', () => {
    const valid = {
      series: [
        gauge('zoom.qos.audio.input.latency', [{ timestamp: NOW - 30, value: 12 }, { timestamp: NOW - 20, value: 14.5 }, { timestamp: NOW - 10, value: 0 }], {
          unit: 'millisecond',
          resources: [{ name: 'zoom-forwarder-1', type: 'host' }],
        }),
        { metric: 'zoom.qos.meetings', type: 1, interval: 60, points: [{ timestamp: NOW, value: 2 }] },
      ],
    };

    for (const encoding of [undefined, 'gzip', 'deflate']) {
      it(`accepts a valid payload (${encoding ?? 'plain'}) with 202 {"errors":[]} and one entry per point`, async () => {
        const answer = await series(valid, encoding === undefined ? {} : { encoding });
        expect(answer.status).to.equal(202);
        expect(answer.json).to.deep.equal({ errors: [] });
        expect(receiver.problems).to.deep.equal([]);
        expect(receiver.points).to.have.length(4);
        expect(receiver.points[0]).to.deep.equal({
          metric: 'zoom.qos.audio.input.latency', type: 3, timestamp: NOW - 30, value: 12, tags: ['meeting_id:abc', 'qos_type:audio_input'],
          unit: 'millisecond', resources: [{ name: 'zoom-forwarder-1', type: 'host' }],
        });
        expect(receiver.points.map((p) => p.value)).to.deep.equal([12, 14.5, 0, 2]);
        expect(receiver.points[3]).to.deep.equal({ metric: 'zoom.qos.meetings', type: 1, timestamp: NOW, value: 2, tags: [], interval: 60 });
        const [request] = receiver.requests;
        expect(request).to.include({ path: '/api/v2/series', status: 202, apiKey: KEY, contentType: 'application/json', series: 2, decompressedBytes: JSON.stringify(valid).length });
        expect(request?.contentEncoding).to.equal(encoding);
        expect(request?.bytes).to.equal(encode(Buffer.from(JSON.stringify(valid)), encoding).length);
      });
    }

    it('takes points at the edges of the window [now − 3600 s, now + 600 s] and a charset on the content type', async () => {
      const answer = await series({ series: [gauge('m', [{ timestamp: NOW - 3600, value: 1 }, { timestamp: NOW + 600, value: 2 }])] }, { contentType: 'application/json; charset=utf-8' });
      expect(answer.status).to.equal(202);
      expect(receiver.problems).to.deep.equal([]);
      expect(receiver.points).to.have.length(2);
    });

    it('answers 403 for a missing or unknown DD-API-KEY and stores nothing', async () => {
      expect((await series(valid, { key: null })).status).to.equal(403);
      const unknown = await series(valid, { key: 'not-a-key' });
      expect(unknown.status).to.equal(403);
      expect(unknown.json).to.deep.equal({ errors: ['Forbidden'] });
      expect(receiver.points).to.deep.equal([]);
      expect(receiver.problems).to.deep.equal(['/api/v2/series #0: DD-API-KEY header missing', '/api/v2/series #1: DD-API-KEY is not a known API key']);
      expect(receiver.requests.map((r) => r.status)).to.deep.equal([403, 403]);
    });

    it('records an API key in the URL query as a problem', async () => {
      const answer = await series(valid, { query: `?api_key=${KEY}` });
      expect(answer.status).to.equal(202);
      expect(receiver.problems).to.have.length(1);
      expect(receiver.problems[0]).to.match(/API key sent in the URL query \("api_key"\)/);
    });

    it('rejects type as a string, a ms timestamp, too old and too new points and a string value with 400', async () => {
      const answer = await series({
        series: [
          { ...gauge('a', [{ timestamp: NOW, value: 1 }]), type: 'gauge' },
          gauge('b', [{ timestamp: NOW_MS, value: 1 }]),
          gauge('c', [{ timestamp: NOW - 3601, value: 1 }, { timestamp: NOW + 601, value: 1 }]),
          gauge('d', [{ timestamp: NOW, value: '1.5' }]),
          gauge('e', [{ timestamp: NOW + 0.5, value: 1 }]),
        ],
      });
      expect(answer.status).to.equal(400);
      const errors = (answer.json as { errors: string[] }).errors;
      expect(errors).to.have.length(6);
      expect(errors[0]).to.match(/series\[0\] "a": "type" must be an integer code 0-3 in v2, got the string "gauge"/);
      expect(errors[1]).to.match(/series\[1\] "b" points\[0\]: "timestamp" 1760000000500 looks like milliseconds/);
      expect(errors[2]).to.match(/series\[2\] "c" points\[0\]: "timestamp" \d+ is 3601 s in the past/);
      expect(errors[3]).to.match(/series\[2\] "c" points\[1\]: "timestamp" \d+ is 601 s in the future/);
      expect(errors[4]).to.match(/series\[3\] "d" points\[0\]: "value" must be a JSON number, got the string "1.5"/);
      expect(errors[5]).to.match(/series\[4\] "e" points\[0\]: "timestamp" must be an integer/);
      expect(receiver.problems).to.have.length(6);
      expect(receiver.requests[0]?.problems).to.deep.equal(errors);
      expect(receiver.points).to.deep.equal([]);
    });

    it('rejects bodies without a series array, empty points, bad type codes, v1 tuples and malformed resources', async () => {
      expect((await series('not json')).status).to.equal(400);
      expect((await series([])).status).to.equal(400);
      expect((await series({ metrics: [] })).status).to.equal(400);
      const answer = await series({
        series: [
          gauge('a', []),
          { ...gauge('b', [{ timestamp: NOW, value: 1 }]), type: 4 },
          gauge('c', [[NOW, 1]] as unknown as { timestamp: number; value: number }[]),
          gauge('d', [{ timestamp: NOW, value: 1 }], { resources: [{ name: 'h' }] }),
          gauge('e', [{ timestamp: NOW, value: 1 }], { tags: ['ok:1', 7] }),
          { type: 3, points: [{ timestamp: NOW, value: 1 }] },
        ],
      });
      expect(answer.status).to.equal(400);
      const errors = (answer.json as { errors: string[] }).errors;
      expect(errors).to.have.length(6);
      expect(errors[0]).to.match(/^series\[0\] "a": "points" must be a non-empty array/);
      expect(errors[1]).to.match(/^series\[1\] "b": "type" must be one of 0,1,2,3, got number 4/);
      expect(errors[2]).to.match(/^series\[2\] "c" points\[0\] must be \{"timestamp", "value"\}, got an array \(the \[t, v\] tuple is the v1 format\)/);
      expect(errors[3]).to.match(/^series\[3\] "d": resources\[0\] must be \{"name": string, "type": string\}/);
      expect(errors[4]).to.match(/^series\[4\] "e": tags\[1\] must be a string, got number 7/);
      expect(errors[5]).to.match(/^series\[5\]: "metric" must be a non-empty string, got undefined/);
      expect(receiver.points).to.deep.equal([]);
    });

    it('records unsanitised tags and a count without interval as problems but accepts them (Datadog sanitises)', async () => {
      const answer = await series({
        series: [
          gauge('a', [{ timestamp: NOW, value: 1 }], { tags: ['no_colon', 'Meeting_ID:abc', '1st:x', 'topic:a b', 'env:', `k:${'v'.repeat(200)}`, 'ok:1/2.3-4_5'] }),
          { metric: 'b', type: 1, points: [{ timestamp: NOW, value: 1 }] },
        ],
      });
      expect(answer.status).to.equal(202);
      expect(receiver.points).to.have.length(2);
      expect(receiver.problems).to.have.length(7);
      expect(receiver.problems[0]).to.match(/tag "no_colon" is not key:value/);
      expect(receiver.problems[1]).to.match(/tag "Meeting_ID:abc" not sanitised/);
      expect(receiver.problems[2]).to.match(/tag "1st:x" not sanitised/);
      expect(receiver.problems[3]).to.match(/tag "topic:a b" not sanitised/);
      expect(receiver.problems[4]).to.match(/tag "env:" has an empty value/);
      expect(receiver.problems[5]).to.match(/is 202 characters, over Datadog's 200/);
      expect(receiver.problems[6]).to.match(/series\[1\] "b": "interval" missing for a count \(type 1\) series/);
    });

    it('tag rules: unicode lowercase letters pass, uppercase and other characters do not', () => {
      expect(tagProblem('city:zürich')).to.equal(undefined);
      expect(tagProblem('a:b:c')).to.equal(undefined);
      expect(tagProblem('City:zurich')).to.match(/not sanitised/);
      expect(tagProblem('a:b@c')).to.match(/not sanitised/);
      expect(tagProblem(`a:${'b'.repeat(198)}`)).to.equal(undefined);
    });

    it('answers 413 for a raw body over 512,000 bytes and for one decompressing to 5,242,880 bytes or more', async () => {
      // {"series":[…],"pad":"xxx…"} with n x's, built as bytes to keep the 5 MiB bodies cheap.
      const [head, tail] = JSON.stringify({ series: [gauge('a', [{ timestamp: NOW, value: 1 }])], pad: '' }).split('""');
      const pad = (n: number): Buffer => Buffer.concat([Buffer.from(`${head}"`), Buffer.alloc(n, 'x'), Buffer.from(`"${tail}`)]);
      const base = pad(0).length;
      const rawAtLimit = await series(pad(DATADOG_LIMITS.seriesRawBytes - base));
      expect(rawAtLimit.status).to.equal(202);
      const rawOver = await series(pad(DATADOG_LIMITS.seriesRawBytes - base + 1));
      expect(rawOver.status).to.equal(413);
      expect((rawOver.json as { errors: string[] }).errors[0]).to.match(/512001 bytes as sent, over Datadog's 512000/);
      const zipUnder = await series(pad(DATADOG_LIMITS.seriesDecompressedBytes - base - 1), { encoding: 'gzip' });
      expect(zipUnder.status).to.equal(202);
      const zipAt = await series(pad(DATADOG_LIMITS.seriesDecompressedBytes - base), { encoding: 'gzip' });
      expect(zipAt.status).to.equal(413);
      expect(receiver.requests[3]).to.include({ status: 413, decompressedBytes: DATADOG_LIMITS.seriesDecompressedBytes });
      expect(receiver.requests[3]?.bytes).to.be.below(DATADOG_LIMITS.seriesRawBytes);
      expect(receiver.points).to.have.length(2);
      expect(receiver.problems).to.have.length(2);
    });

    it('answers 415 for a wrong content type or an unsupported encoding (zstd1, br), 400 for a corrupt body', async () => {
      expect((await series(valid, { contentType: 'text/json' })).status).to.equal(415);
      expect((await series(valid, { contentType: null })).status).to.equal(415);
      const zstd = await series(valid, { encoding: 'zstd1' });
      expect(zstd.status).to.equal(415);
      expect((zstd.json as { errors: string[] }).errors[0]).to.match(/"zstd1" is not supported by this receiver \(Node 20 has no zstd\)/);
      expect((await series(valid, { encoding: 'br' })).status).to.equal(415);
      expect((await post('/api/v2/series', gzipSync(JSON.stringify(valid)), { encoding: 'deflate' })).status).to.equal(400);
      expect(receiver.problems).to.have.length(5);
      expect(receiver.points).to.deep.equal([]);
    });

    it('answers 404 for other paths and 405 for other methods', async () => {
      expect((await post('/api/v1/series', valid)).status).to.equal(404);
      const get = await post('/api/v2/series', undefined, { method: 'GET' });
      expect(get.status).to.equal(405);
      expect(get.headers.get('allow')).to.equal('POST');
      expect((await post('/api/v2/logs', [], { method: 'PUT' })).status).to.equal(405);
      expect(receiver.problems).to.have.length(3);
      expect(receiver.problems[0]).to.match(/POST \/api\/v1\/series: no such Datadog endpoint/);
    });
  });

  describe('logs (POST /api/v2/logs)', () => {
    const items = [
      { message: 'participant joined', ddsource: 'zoom', ddtags: 'env:test,meeting_id:abc', hostname: 'fwd-1', service: 'qss-forwarder', meeting: { id: 'abc' } },
      { message: 'participant left' },
    ];

    it('accepts a gzip JSON array with 202 {} and stores the items', async () => {
      const answer = await logs(items, { encoding: 'gzip' });
      expect(answer.status).to.equal(202);
      expect(answer.json).to.deep.equal({});
      expect(receiver.problems).to.deep.equal([]);
      expect(receiver.logs).to.deep.equal(items);
      expect(receiver.requests[0]).to.include({ path: '/api/v2/logs', status: 202, contentEncoding: 'gzip', series: 2 });
    });

    it('answers 401 without a key, 403 for an unknown key', async () => {
      expect((await logs(items, { key: null })).status).to.equal(401);
      expect((await logs(items, { key: 'nope' })).status).to.equal(403);
      expect(receiver.logs).to.deep.equal([]);
      expect(receiver.problems).to.have.length(2);
    });

    it('rejects an object body and items without a string message with 400', async () => {
      const object = await logs({ message: 'one' });
      expect(object.status).to.equal(400);
      expect((object.json as { errors: string[] }).errors[0]).to.match(/must be a JSON array/);
      const bad = await logs([{ message: 'ok' }, { msg: 'x' }, { message: 3 }, 'text', { message: 'ok', ddtags: ['a:b'] }]);
      expect(bad.status).to.equal(400);
      expect((bad.json as { errors: string[] }).errors).to.have.length(4);
      expect(receiver.logs).to.deep.equal([]);
      expect(receiver.problems).to.have.length(5);
    });

    it('answers 413 for more than 1000 items and for more than 5,242,880 bytes decompressed', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => ({ message: `m${i}` }));
      expect((await logs(many.slice(0, 1000))).status).to.equal(202);
      expect((await logs(many)).status).to.equal(413);
      const big = [{ message: 'x'.repeat(DATADOG_LIMITS.logsDecompressedBytes) }];
      expect((await logs(big, { encoding: 'gzip' })).status).to.equal(413);
      expect(receiver.logs).to.have.length(1000);
      expect(receiver.problems).to.have.length(2);
      expect(receiver.problems[0]).to.match(/1001 items, over Datadog's 1000/);
      expect(receiver.problems[1]).to.match(/decompressed, over Datadog's 5242880/);
    });

    it('accepts an item over 1 MB (Datadog truncates it) but records the problem; bad ddtags too', async () => {
      const answer = await logs([{ message: 'x'.repeat(DATADOG_LIMITS.logItemBytes) }, { message: 'y', ddtags: 'env:test,Bad Tag' }]);
      expect(answer.status).to.equal(202);
      expect(receiver.logs).to.have.length(2);
      expect(receiver.problems).to.have.length(2);
      expect(receiver.problems[0]).to.match(/logs\[0\] is \d+ bytes, over Datadog's 1048576 per log/);
      expect(receiver.problems[1]).to.match(/logs\[1\]: ddtags: tag "Bad Tag" is not key:value/);
    });

    it('answers 415 for text/plain (our client sends JSON)', async () => {
      expect((await logs(items, { contentType: 'text/plain' })).status).to.equal(415);
      expect(receiver.problems).to.have.length(1);
    });
  });

  describe('scripted answers', () => {
    const body = { series: [gauge('a', [{ timestamp: NOW, value: 1 }])] };

    it('answers 429, 503, 408, 413 in order, then normally; only the 2xx counts as accepted', async () => {
      receiver.script(
        { status: 429, headers: { 'x-ratelimit-reset': '3' } },
        { status: 503, body: 'upstream down' },
        { status: 408 },
        { status: 413, body: { errors: ['Payload too large'] } },
      );
      const a = await series(body);
      expect(a.status).to.equal(429);
      expect(a.headers.get('x-ratelimit-reset')).to.equal('3');
      expect(a.json).to.deep.equal({ errors: ['scripted 429'] });
      const b = await series(body);
      expect(b).to.include({ status: 503, json: 'upstream down' });
      expect((await logs([{ message: 'm' }])).status).to.equal(408);
      expect((await series(body)).json).to.deep.equal({ errors: ['Payload too large'] });
      expect((await series(body)).status).to.equal(202);
      expect(receiver.requests.map((r) => r.status)).to.deep.equal([429, 503, 408, 413, 202]);
      expect(receiver.points).to.have.length(1);
      expect(receiver.logs).to.deep.equal([]);
      expect(receiver.problems).to.deep.equal([]);
    });

    it('still checks a scripted request and keeps an invalid one out even with a scripted 202', async () => {
      receiver.script({ status: 202 });
      const answer = await series({ series: [gauge('a', [{ timestamp: NOW, value: 'x' }])] });
      expect(answer).to.deep.include({ status: 202, json: { errors: [] } });
      expect(receiver.points).to.deep.equal([]);
      expect(receiver.problems).to.have.length(1);
    });

    it('delays an answer', async () => {
      receiver.script({ status: 202, delayMs: 60 });
      const started = Date.now();
      const answer = await series(body);
      expect(answer.status).to.equal(202);
      expect(Date.now() - started).to.be.at.least(55);
      expect(receiver.points).to.have.length(1);
    });

    it('drops the connection without an answer (status 0, nothing accepted)', async () => {
      receiver.script({ status: 202, destroy: true });
      let failed: unknown;
      try {
        await series(body);
      } catch (e) {
        failed = e;
      }
      expect(failed).to.be.instanceOf(TypeError);
      expect(receiver.requests[0]).to.include({ status: 0 });
      expect(receiver.points).to.deep.equal([]);
      expect((await series(body)).status).to.equal(202);
    });

    it('closes promptly while a delayed answer is pending', async () => {
      receiver.script({ status: 202, delayMs: 10_000 });
      const pending = series(body).catch((e: unknown) => e);
      while (receiver.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      await receiver.close();
      expect(Date.now() - started).to.be.below(500);
      expect(await pending).to.be.instanceOf(TypeError);
    });
  });
});
