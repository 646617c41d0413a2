// Self-test of the OTLP/HTTP conformance receiver: hand-written OTLP/JSON bodies (shaped after
// opentelemetry-proto examples/metrics.json, see sink-protocols.md §3.2–3.3) must be accepted and
// flattened into points; each rule of §3.7 must be enforced with the right status and a problem.
import { ValueType } from '@opentelemetry/api';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { expect } from 'chai';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startOtlpReceiver, type OtlpReceiver, type OtlpReceiverOptions } from '../../support/receivers/otlp-receiver.ts';

const T = BigInt(Date.UTC(2026, 10, 27, 12, 0, 0)) * 1_000_000n; // ns, exactly representable as a double
const START = T - 60_000_000_000n;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const SERVICE = [str('service.name', 'qss-forwarder')];

function request(metrics: object[], resourceAttributes: object[] = SERVICE): object {
  return { resourceMetrics: [{ resource: { attributes: resourceAttributes }, scopeMetrics: [{ scope: { name: 'qss-forwarder', version: '0.1.0' }, metrics }] }] };
}

const gaugePoint = (extra: object = {}) => ({ timeUnixNano: String(T), asDouble: 0.5, attributes: [str('a', 'x')], ...extra });
const gauge = (point: object = gaugePoint(), extra: object = {}) => ({ name: 'zoom.qos.loss', unit: '1', gauge: { dataPoints: [point] }, ...extra });
const sum = (sumFields: object, point: object = {}) => ({
  name: 'zoom.qos.packets', unit: '{packet}',
  sum: { aggregationTemporality: 1, dataPoints: [{ startTimeUnixNano: String(START), timeUnixNano: String(T), asInt: '1', ...point }], ...sumFields },
});

const VALID = request([
  {
    name: 'zoom.qos.audio.jitter', unit: 's', description: 'Audio jitter',
    gauge: {
      dataPoints: [{
        timeUnixNano: String(T), asDouble: 0.012,
        attributes: [str('zoom.meeting.id', 'm1'), { key: 'zoom.participant.count', value: { intValue: '3' } }, { key: 'ratio', value: { doubleValue: 1.5 } }, { key: 'zoom.host', value: { boolValue: true } }],
      }],
    },
  },
  { name: 'zoom.qos.packets', unit: '{packet}', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ startTimeUnixNano: Number(START), timeUnixNano: Number(T), asInt: '42', attributes: [] }] } },
  {
    name: 'zoom.qos.rtt', unit: 's', unknownField: 'ignored',
    histogram: { aggregationTemporality: 2, dataPoints: [{ startTimeUnixNano: String(START), timeUnixNano: String(T), count: '3', sum: 0.3, bucketCounts: ['1', 2, '0'], explicitBounds: [0.05, 0.2] }] },
  },
]);

interface Sent { status: number; contentType: string | null; retryAfter: string | null; json: unknown }

async function post(r: OtlpReceiver, body: string | Uint8Array<ArrayBuffer> | object, init: { path?: string; method?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const res = await fetch(`${r.url}${init.path ?? '/v1/metrics'}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.method === 'GET' ? {} : { body: payload }),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), json: JSON.parse(text) };
}

describe('OTLP conformance receiver', () => {
  let r: OtlpReceiver;
  const start = async (options?: OtlpReceiverOptions) => { await r.close(); r = await startOtlpReceiver(options); };
  beforeEach(async () => { r = await startOtlpReceiver(); });
  afterEach(async () => { await r.close(); });

  describe('valid requests', () => {
    it('accepts OTLP/JSON and flattens every data point', async () => {
      const res = await post(r, VALID, { headers: { 'content-type': 'application/json; charset=utf-8' } });
      expect(res).to.include({ status: 200, contentType: 'application/json' });
      expect(res.json).to.deep.equal({});
      expect(r.problems).to.deep.equal([]);
      const resource = { 'service.name': 'qss-forwarder' };
      expect(r.points).to.deep.equal([
        {
          metric: 'zoom.qos.audio.jitter', unit: 's', description: 'Audio jitter', kind: 'gauge', timeUnixNano: T, value: 0.012, valueType: 'asDouble',
          attributes: { 'zoom.meeting.id': 'm1', 'zoom.participant.count': 3, ratio: 1.5, 'zoom.host': true }, resource, scope: 'qss-forwarder',
        },
        {
          metric: 'zoom.qos.packets', unit: '{packet}', description: '', kind: 'sum', temporality: 1, isMonotonic: true, timeUnixNano: T, startTimeUnixNano: START,
          value: 42, valueType: 'asInt', attributes: {}, resource, scope: 'qss-forwarder',
        },
        {
          metric: 'zoom.qos.rtt', unit: 's', description: '', kind: 'histogram', temporality: 2, timeUnixNano: T, startTimeUnixNano: START,
          value: 0.3, count: 3, bucketCounts: [1, 2, 0], explicitBounds: [0.05, 0.2], attributes: {}, resource, scope: 'qss-forwarder',
        },
      ]);
      expect(r.requests).to.have.length(1);
      expect(r.requests[0]).to.include({ method: 'POST', path: '/v1/metrics', status: 200, contentType: 'application/json; charset=utf-8', contentEncoding: undefined });
      expect(r.requests[0]?.bytes).to.equal(Buffer.byteLength(JSON.stringify(VALID)));
      expect(r.requests[0]?.json).to.deep.equal(VALID);
    });

    it('accepts a gzip body and records its compressed size', async () => {
      const gz = gzipSync(JSON.stringify(VALID));
      const res = await post(r, new Uint8Array(gz), { headers: { 'content-encoding': 'gzip' } });
      expect(res.status).to.equal(200);
      expect(r.points.map((p) => p.value)).to.deep.equal([0.012, 42, 0.3]);
      expect(r.requests[0]).to.include({ contentEncoding: 'gzip', bytes: gz.length });
      expect(r.problems).to.deep.equal([]);
    });

    it('accepts an empty request and one without data points', async () => {
      expect((await post(r, {})).status).to.equal(200);
      expect((await post(r, request([]))).status).to.equal(200);
      expect(r.points).to.deep.equal([]);
      expect(r.problems).to.deep.equal([]);
    });

    it('accepts what the official OTel JS JSON serializer produces', async () => {
      const end: [number, number] = [Number(T / 1_000_000_000n), 250];
      const begin: [number, number] = [end[0] - 60, 0];
      const attributes = { 'zoom.meeting.id': 'm1', 'zoom.participant.count': 3 };
      const metrics: ResourceMetrics = {
        resource: resourceFromAttributes({ 'service.name': 'qss-forwarder' }),
        scopeMetrics: [{
          scope: { name: 'qss-forwarder' },
          metrics: [
            { descriptor: { name: 'zoom.qos.loss', description: '', unit: '1', valueType: ValueType.DOUBLE }, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: [{ startTime: begin, endTime: end, attributes, value: 0.25 }] },
            { descriptor: { name: 'zoom.qos.packets', description: '', unit: '{packet}', valueType: ValueType.INT }, aggregationTemporality: AggregationTemporality.DELTA, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: [{ startTime: begin, endTime: end, attributes, value: 7 }] },
          ],
        }],
      };
      const body = JsonMetricsSerializer.serializeRequest(metrics);
      expect(body).to.not.equal(undefined);
      expect((await post(r, new Uint8Array(body ?? new Uint8Array()))).status).to.equal(200);
      expect(r.problems).to.deep.equal([]);
      expect(r.points.map((p) => [p.metric, p.kind, p.timeUnixNano, p.value, p.attributes])).to.deep.equal([
        ['zoom.qos.loss', 'gauge', T + 250n, 0.25, attributes],
        ['zoom.qos.packets', 'sum', T + 250n, 7, attributes],
      ]);
      expect(r.points[1]).to.include({ temporality: 1, startTimeUnixNano: START, isMonotonic: true, valueType: 'asInt' });
    });

    it('accepts doubles as strings ("NaN", "Infinity") and nested AnyValues', async () => {
      const body = request([gauge(gaugePoint({
        asDouble: 'Infinity',
        attributes: [{ key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } }, { key: 'kv', value: { kvlistValue: { values: [str('k', 'v')] } } }],
      }))]);
      expect((await post(r, body)).status).to.equal(200);
      expect(r.points[0]?.value).to.equal(Infinity);
      expect(r.points[0]?.attributes).to.deep.equal({ list: '["a",2]', kv: '{"k":"v"}' });
    });
  });

  describe('transport violations', () => {
    const cases: { name: string; send: (r: OtlpReceiver) => Promise<Sent>; status: number; problem: RegExp }[] = [
      { name: 'a wrong path', send: (r) => post(r, VALID, { path: '/v1/traces' }), status: 404, problem: /path \/v1\/traces is not \/v1\/metrics/ },
      { name: 'a wrong method', send: (r) => post(r, '', { method: 'GET' }), status: 405, problem: /method GET is not POST/ },
      { name: 'a wrong content type', send: (r) => post(r, VALID, { headers: { 'content-type': 'text/plain' } }), status: 415, problem: /Content-Type text\/plain/ },
      { name: 'protobuf', send: (r) => post(r, 'x', { headers: { 'content-type': 'application/x-protobuf' } }), status: 415, problem: /protobuf not supported by this test receiver/ },
      { name: 'an unknown encoding', send: (r) => post(r, VALID, { headers: { 'content-encoding': 'br' } }), status: 415, problem: /Content-Encoding br is not supported/ },
      { name: 'broken gzip', send: (r) => post(r, 'not gzip', { headers: { 'content-encoding': 'gzip' } }), status: 400, problem: /not valid gzip/ },
      { name: 'a body that is not JSON', send: (r) => post(r, '{"resourceMetrics": ['), status: 400, problem: /not valid JSON/ },
    ];
    for (const c of cases) {
      it(`answers ${c.status} to ${c.name}`, async () => {
        const res = await c.send(r);
        expect(res).to.include({ status: c.status, contentType: 'application/json' });
        expect(res.json).to.have.property('message').that.matches(c.problem);
        expect(res.json).to.have.property('code').that.is.a('number');
        expect(r.problems).to.have.length(1);
        expect(r.problems[0]).to.match(c.problem);
        expect(r.requests[0]).to.include({ status: c.status });
        expect(r.requests[0]?.problems).to.deep.equal(r.problems);
        expect(r.points).to.deep.equal([]);
      });
    }

    it('answers 413 past maxBodyBytes, plain or gzip (decompressed size counts)', async () => {
      await start({ maxBodyBytes: 100 });
      const big = JSON.stringify(request([gauge()]));
      expect(big.length).to.be.greaterThan(100);
      expect((await post(r, big)).status).to.equal(413);
      expect((await post(r, new Uint8Array(gzipSync(big)), { headers: { 'content-encoding': 'gzip' } })).status).to.equal(413);
      expect(r.problems).to.have.length(2);
      expect(r.problems[1]).to.match(/decompressed body is larger than 100 bytes/);
      expect(r.points).to.deep.equal([]);
    });

    it('answers 401 when a required header is missing or wrong', async () => {
      await start({ requireHeaders: { Authorization: 'Bearer good' } });
      expect(r.requiredHeaders).to.deep.equal({ authorization: 'Bearer good' });
      expect((await post(r, VALID)).status).to.equal(401);
      expect((await post(r, VALID, { headers: { authorization: 'Bearer bad' } })).status).to.equal(401);
      expect(r.problems).to.deep.equal(['required header authorization is missing', 'required header authorization has the wrong value']);
      expect((await post(r, VALID, { headers: { authorization: 'Bearer good' } })).status).to.equal(200);
      expect(r.points).to.have.length(3);
    });
  });

  describe('body violations answer 400', () => {
    const cases: { name: string; body: string | object; problem: RegExp }[] = [
      { name: 'a body that is not an object', body: '[]', problem: /not a JSON object/ },
      { name: 'a snake_case key at the top', body: { resource_metrics: [] }, problem: /key "resource_metrics" at top level is not lowerCamelCase \(snake_case/ },
      { name: 'a nested snake_case key', body: request([{ name: 'm', unit: '1', gauge: { data_points: [] } }]), problem: /key "data_points" at resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.gauge/ },
      { name: 'resourceMetrics not an array', body: { resourceMetrics: {} }, problem: /resourceMetrics is not an array/ },
      { name: 'a resource without service.name', body: request([gauge()], [str('host.name', 'h')]), problem: /resourceMetrics\[0\]\.resource\.attributes has no service\.name/ },
      { name: 'a missing resource', body: { resourceMetrics: [{ scopeMetrics: [] }] }, problem: /has no service\.name/ },
      { name: 'a missing timeUnixNano', body: request([gauge({ asDouble: 1, attributes: [] })]), problem: /metric "zoom\.qos\.loss" dataPoints\[0\]: timeUnixNano is missing/ },
      { name: 'a zero timeUnixNano', body: request([gauge(gaugePoint({ timeUnixNano: '0' }))]), problem: /timeUnixNano is 0/ },
      { name: 'milliseconds', body: request([gauge(gaugePoint({ timeUnixNano: String(T / 1_000_000n) }))]), problem: /timeUnixNano \d+ is not nanoseconds since the epoch \(looks like milliseconds\)/ },
      { name: 'seconds', body: request([gauge(gaugePoint({ timeUnixNano: Number(T / 1_000_000_000n) }))]), problem: /not nanoseconds .*\(looks like seconds\)/ },
      { name: 'a non-decimal timestamp', body: request([gauge(gaugePoint({ timeUnixNano: '1.7e18' }))]), problem: /timeUnixNano "1\.7e18" is not a decimal string or integer/ },
      { name: 'asDouble and asInt', body: request([gauge(gaugePoint({ asInt: '1' }))]), problem: /exactly one of asDouble\/asInt; found both/ },
      { name: 'no value', body: request([gauge(gaugePoint({ asDouble: undefined }))]), problem: /exactly one of asDouble\/asInt; found neither/ },
      { name: 'an asInt that is not an integer', body: request([gauge(gaugePoint({ asDouble: undefined, asInt: '1.5' }))]), problem: /asInt "1\.5" is not an integer/ },
      { name: 'duplicate attribute keys', body: request([gauge(gaugePoint({ attributes: [str('a', 'x'), str('a', 'y')] }))]), problem: /duplicate attribute key "a"/ },
      { name: 'a raw attribute value', body: request([gauge(gaugePoint({ attributes: [{ key: 'a', value: 'x' }] }))]), problem: /attribute "a": value "x" is not in AnyValue form/ },
      { name: 'an AnyValue with two fields', body: request([gauge(gaugePoint({ attributes: [{ key: 'a', value: { stringValue: 'x', intValue: 1 } }] }))]), problem: /AnyValue needs exactly one .* found stringValue, intValue/ },
      { name: 'an AnyValue of the wrong type', body: request([gauge(gaugePoint({ attributes: [{ key: 'a', value: { boolValue: 'yes' } }] }))]), problem: /boolValue "yes" has the wrong type/ },
      { name: 'a missing unit', body: request([gauge(gaugePoint(), { unit: undefined })]), problem: /unit is missing/ },
      { name: 'an empty unit', body: request([gauge(gaugePoint(), { unit: '' })]), problem: /unit "" does not look like a UCUM code/ },
      { name: 'a unit with spaces', body: request([gauge(gaugePoint(), { unit: 'per cent' })]), problem: /unit "per cent" does not look like a UCUM code/ },
      { name: 'a metric without name', body: request([gauge(gaugePoint(), { name: undefined })]), problem: /metrics\[0\] has no name/ },
      { name: 'two data kinds', body: request([gauge(gaugePoint(), { sum: { aggregationTemporality: 2, dataPoints: [] } })]), problem: /needs exactly one of gauge, sum, .*; found gauge, sum/ },
      { name: 'no data kind', body: request([{ name: 'm', unit: '1' }]), problem: /metric "m": needs exactly one of .*; found none/ },
      { name: 'a gauge with temporality', body: request([gauge(gaugePoint(), { gauge: { aggregationTemporality: 2, dataPoints: [gaugePoint()] } })]), problem: /a gauge has no aggregationTemporality/ },
      { name: 'an enum name', body: request([sum({ aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA' })]), problem: /aggregationTemporality "AGGREGATION_TEMPORALITY_DELTA" must be numeric/ },
      { name: 'temporality 0', body: request([sum({ aggregationTemporality: 0 })]), problem: /aggregationTemporality must be 1 \(delta\) or 2 \(cumulative\), got 0/ },
      { name: 'a missing temporality', body: request([sum({ aggregationTemporality: undefined })]), problem: /aggregationTemporality must be 1 .* got none/ },
      { name: 'a start after the time', body: request([sum({}, { startTimeUnixNano: String(T + 1n) })]), problem: /startTimeUnixNano \d+ is after timeUnixNano \d+/ },
      { name: 'a start in milliseconds', body: request([sum({}, { startTimeUnixNano: String(START / 1_000_000n) })]), problem: /startTimeUnixNano \d+ is not nanoseconds/ },
      {
        name: 'histogram buckets that do not match the bounds',
        body: request([{ name: 'h', unit: 's', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: String(T), count: '3', bucketCounts: ['1', '2'], explicitBounds: [0.1, 0.2] }] } }]),
        problem: /2 bucketCounts for 2 explicitBounds/,
      },
      {
        name: 'histogram buckets that do not add up to count',
        body: request([{ name: 'h', unit: 's', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: String(T), count: 4, bucketCounts: [1, 2], explicitBounds: [0.1] }] } }]),
        problem: /bucketCounts add up to 3, not count 4/,
      },
    ];
    for (const c of cases) {
      it(`rejects ${c.name}`, async () => {
        const res = await post(r, c.body);
        expect(res).to.include({ status: 400, contentType: 'application/json' });
        expect(res.json).to.deep.include({ code: 3 });
        expect(res.json).to.have.property('message').that.matches(c.problem);
        expect(r.problems.some((p) => c.problem.test(p)), r.problems.join('\n')).to.equal(true);
        expect(r.requests[0]?.problems).to.deep.equal(r.problems);
        expect(r.points).to.deep.equal([]);
      });
    }

    it('reports each bad key once and caps the problems of one request', async () => {
      const point = gaugePoint({ timeUnixNano: '1' });
      await post(r, request([gauge(point), gauge(point), gauge(point)].flatMap((m) => [m, m, m, m, m, m, m, m])));
      expect(r.problems).to.have.length(21);
      expect(r.problems[20]).to.equal('… and 4 more problems');
      await post(r, request([{ name: 'm', unit: '1', gauge: { data_points: [{ time_unix_nano: '1' }, { time_unix_nano: '2' }] } }]));
      expect(r.requests[1]?.problems).to.have.length(2);
    });
  });

  describe('scripted answers', () => {
    it('answers 503 with Retry-After, counts nothing, then goes back to normal', async () => {
      r.script({ status: 503, headers: { 'retry-after': '2' } });
      const first = await post(r, VALID);
      expect(first).to.include({ status: 503, retryAfter: '2', contentType: 'application/json' });
      expect(first.json).to.deep.equal({ code: 14, message: 'scripted answer 503' });
      expect(r.points).to.deep.equal([]);
      expect((await post(r, VALID)).status).to.equal(200);
      expect(r.points).to.have.length(3);
      expect(r.requests.map((q) => q.status)).to.deep.equal([503, 200]);
      expect(r.problems).to.deep.equal([]);
    });

    it('answers 200 with a partial success and counts the points', async () => {
      r.script({ status: 200, partialSuccess: { rejectedDataPoints: 1, errorMessage: 'one point too old' } });
      const res = await post(r, VALID);
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.equal({ partialSuccess: { rejectedDataPoints: 1, errorMessage: 'one point too old' } });
      expect(r.points).to.have.length(3);
    });

    it('uses the answers in order, with custom bodies and delays', async () => {
      r.script({ status: 429, body: { code: 8, message: 'slow down' } }, { status: 502, body: 'bad gateway', headers: { 'content-type': 'text/plain' }, delayMs: 40 });
      const first = await post(r, VALID);
      expect(first).to.deep.include({ status: 429, json: { code: 8, message: 'slow down' } });
      const before = Date.now();
      const res = await fetch(r.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(VALID) });
      expect(await res.text()).to.equal('bad gateway');
      expect(res.status).to.equal(502);
      expect(Date.now() - before).to.be.at.least(35);
      expect((await post(r, VALID)).status).to.equal(200);
      expect(r.requests.map((q) => q.status)).to.deep.equal([429, 502, 200]);
    });

    it('resets the connection without answering', async () => {
      r.script({ status: 200, destroy: true });
      let failed = false;
      await post(r, VALID).catch(() => { failed = true; });
      expect(failed).to.equal(true);
      expect(r.requests[0]?.status).to.equal(0);
      expect(r.points).to.deep.equal([]);
      expect((await post(r, VALID)).status).to.equal(200);
    });

    it('still checks a scripted request and never counts an invalid one', async () => {
      r.script({ status: 200 });
      const res = await post(r, request([gauge(gaugePoint({ timeUnixNano: '0' }))]));
      expect(res.status).to.equal(200);
      expect(r.problems).to.have.length(1);
      expect(r.problems[0]).to.match(/timeUnixNano is 0/);
      expect(r.points).to.deep.equal([]);
    });
  });

  it('close() frees the port and drops kept-alive connections', async () => {
    await post(r, VALID); // leaves a kept-alive connection open
    const port = Number(new URL(r.url).port);
    await r.close();
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
    r = await startOtlpReceiver(); // for afterEach
  });
});
