// The otlp sink against the OTLP conformance receiver (test/support/receivers): what arrives, and
// how it behaves when the receiver is down, slow, throttling, picky or says "too large".
import { expect } from 'chai';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/receivers/otlp-receiver.ts';
import { exampleRecords, prepare, samplesOf, signalsFor, testSink } from '../../support/sink-batches.ts';
import { capturingLogger, metricValue } from '../../support/test-deps.ts';

const NOW = Date.now();
const examples = exampleRecords(NOW);
const qosRecords = examples.qos;

describe('otlp sink → OTLP/HTTP conformance receiver', function () {
  this.timeout(30000);
  let rx: OtlpReceiver;
  beforeEach(async () => {
    rx = await startOtlpReceiver({ requireHeaders: { authorization: 'Bearer t0k' } });
  });
  afterEach(() => rx.close());

  const sinkConfig = (over: object = {}) => ({ type: 'otlp', endpoint: rx.url, headers: 'authorization=Bearer%20t0k', timeout_ms: 500, ...over });

  it('every sample of every QoS example arrives as a gauge point with its value in base units and its own time', async () => {
    const records = qosRecords();
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, records);
    const { sink } = testSink(sinkConfig());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.problems).to.deep.equal([]);
    const expected = samplesOf(records);
    expect(rx.points).to.have.length(expected.length);
    const key = (name: string, value: number, ns: bigint, a: Record<string, unknown>) => JSON.stringify([name, value, String(ns), a['zoom.qos.type'], a['zoom.qos.stat'] ?? null, a['zoom.event']]);
    expect(rx.points.map((p) => key(p.metric, p.value, p.timeUnixNano, p.attributes)).sort()).to.deep.equal(
      expected.map((s) => key(s.metric, s.value, BigInt(s.time_ms) * 1_000_000n, s.attributes)).sort(),
    );
    const latency = rx.points.find((p) => p.metric === 'zoom.qos.latency' && p.attributes['zoom.event'] === 'meeting.participant_qos' && p.attributes['zoom.qos.type'] === 'audio_input');
    expect(latency).to.deep.include({ kind: 'gauge', unit: 's', value: 0.134 });
    expect(latency?.resource['service.name']).to.equal('qss-forwarder');
    expect(rx.requests.every((r) => r.contentEncoding === 'gzip')).to.equal(true);
  });

  it('503 three times then healthy: retried with backoff, delivered once, nothing lost', async () => {
    rx.script({ status: 503 }, { status: 503 }, { status: 503, headers: { 'retry-after': '0' } });
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, qosRecords().slice(0, 1));
    const { sink, metrics } = testSink(sinkConfig());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.requests.map((r) => r.status)).to.deep.equal([503, 503, 503, 200]);
    expect(rx.points).to.have.length(batch.points.length);
    expect(await metricValue(metrics, 'qss_forwarder_sink_retries_total', { sink: 's' })).to.equal(3);
    expect(await metricValue(metrics, 'qss_forwarder_sink_requests_total', { sink: 's', result: 'http_503' })).to.equal(3);
  });

  it('429 with Retry-After: the next attempt waits that long', async () => {
    rx.script({ status: 429, headers: { 'retry-after': '1' } });
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, qosRecords().slice(0, 1));
    const { sink } = testSink(sinkConfig());
    const started = Date.now();
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    expect(Date.now() - started).to.be.at.least(950);
    await sink.close();
  });

  it('partial success is not retried; the rejected points are counted', async () => {
    rx.script({ status: 200, partialSuccess: { rejectedDataPoints: 2, errorMessage: 'two bad points' } });
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, qosRecords().slice(0, 1));
    const { sink, metrics } = testSink(sinkConfig());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.requests).to.have.length(1);
    expect(await metricValue(metrics, 'qss_forwarder_sink_points_dropped_total', { sink: 's', reason: 'rejected_by_backend' })).to.equal(2);
  });

  it('400 for one event\'s data: split by event until only that event is refused; the others arrive', async () => {
    const records = qosRecords();
    expect(records).to.have.length(8);
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, records);
    // Bisection over 8 events: [0-7] 400 → [0-3] ok, [4-7] 400 → [4,5] 400 → [4] 400 (refused), [5] ok → [6,7] ok.
    rx.script({ status: 400 }, { status: 200 }, { status: 400 }, { status: 400 }, { status: 400 }, { status: 200 }, { status: 200 });
    const { sink } = testSink(sinkConfig());
    const result = await sink.write(batch, signalsFor());
    await sink.close();
    expect(result.status === 'partial' && result.refused.map((r) => [r.record.id, r.reason])).to.deep.equal([[records[4]!.id, 'http_400']]);
    expect(rx.requests.map((r) => r.status)).to.deep.equal([400, 200, 400, 400, 400, 200, 200]);
    expect(rx.points).to.have.length(batch.pointRecords.filter((r) => r.id !== records[4]!.id).length);
  });

  it('a refusal is logged with what the backend said (bounded, on one line), never with our request body', async () => {
    // Prometheus 3's OTLP receiver refuses a series point that overwrites another with its reason in the body.
    const reason = 'duplicate sample for timestamp 1796306110000; overrides not allowed: existing 58000, new value 46600';
    rx.script({ status: 400, body: `${reason}\n` });
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, qosRecords().slice(0, 1));
    const { logger, lines } = capturingLogger();
    const { sink } = testSink(sinkConfig(), {}, logger);
    await sink.write(batch, signalsFor());
    await sink.close();
    const refused = lines.find((l) => l.msg === 'backend refused the request for good; its events go to the dead letters');
    expect(refused).to.include({ reason: 'http_400', response: reason });
    expect(JSON.stringify(lines), 'no sample value or attribute of ours in the log').to.not.include('zoom.qos');
    rx.script({ status: 400, body: 'x'.repeat(1000) });
    const { logger: l2, lines: lines2 } = capturingLogger();
    const second = testSink(sinkConfig(), {}, l2);
    await second.sink.write(batch, signalsFor());
    await second.sink.close();
    expect(String(lines2.find((l) => l.reason === 'http_400')?.response)).to.have.length(301);
  });

  it('500 is not retried (OTLP: only 429/502/503/504 are)', async () => {
    rx.script({ status: 500 });
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, qosRecords().slice(0, 1));
    const { sink } = testSink(sinkConfig());
    const result = await sink.write(batch, signalsFor());
    await sink.close();
    expect(result.status === 'partial' && result.refused.map((r) => r.reason)).to.deep.equal(['http_500']);
    expect(rx.requests).to.have.length(1);
  });

  it('a request slower than timeout_ms is abandoned and retried', async () => {
    rx.script({ status: 200, delayMs: 1500 });
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, qosRecords().slice(0, 1));
    const { sink, metrics } = testSink(sinkConfig());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(await metricValue(metrics, 'qss_forwarder_sink_requests_total', { sink: 's', result: 'timeout' })).to.equal(1);
  });

  it('413: the request is split in two and both halves arrive', async () => {
    rx.script({ status: 413 });
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, qosRecords().slice(0, 2));
    const { sink } = testSink(sinkConfig());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.requests.map((r) => r.status)).to.deep.equal([413, 200, 200]);
    expect(rx.points).to.have.length(batch.points.length);
  });

  it('connection refused is retried; when the worker stops, the batch is left for the next start (nothing committed)', async () => {
    await rx.close();
    const { batch } = prepare({ sinks: { s: sinkConfig() } }, qosRecords().slice(0, 1));
    const { sink, metrics } = testSink(sinkConfig());
    const signals = signalsFor();
    setTimeout(() => signals.stopNow(), 300);
    expect(await sink.write(batch, signals)).to.deep.equal({ status: 'retryable', reason: 'stopping' });
    await sink.close();
    expect(await metricValue(metrics, 'qss_forwarder_sink_requests_total', { sink: 's', result: 'network_econnrefused' })).to.be.greaterThan(1);
    rx = await startOtlpReceiver(); // for afterEach
  });
});
