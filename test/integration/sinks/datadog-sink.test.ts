// The datadog sink against the Datadog conformance receiver (test/support/receivers): v2 series and
// logs as Datadog documents them, its time window, and the failure rules.
import { expect } from 'chai';
import { startDatadogReceiver, type DatadogReceiver } from '../../support/receivers/datadog-receiver.ts';
import { busRecord, exampleBodies, exampleRecords, movedToNow, prepare, samplesOf, signalsFor, testSink } from '../../support/sink-batches.ts';
import { metricValue } from '../../support/test-deps.ts';

const NOW = Date.now();
const examples = exampleRecords(NOW);
const allRecords = examples.all;
const qosRecords = examples.qos;

describe('datadog sink → Datadog conformance receiver', function () {
  this.timeout(30000);
  let rx: DatadogReceiver;
  beforeEach(async () => {
    rx = await startDatadogReceiver({ apiKeys: ['dd-key'] });
  });
  afterEach(() => rx.close());

  const metricsSink = (over: object = {}) => ({ type: 'datadog', api_key: 'dd-key', url: rx.url, tags: ['env:test'], host: 'worker-1', timeout_ms: 500, ...over });

  it('metrics: gauges (type 3) with the samples\' values, second timestamps and sanitised tags; per-participant ids left out by default', async () => {
    const records = qosRecords();
    const { batch } = prepare({ sinks: { s: metricsSink() } }, records);
    const { sink } = testSink(metricsSink());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.problems).to.deep.equal([]);
    const expected = samplesOf(records);
    expect(rx.points).to.have.length(expected.length);
    const tag = (p: { tags: string[] }, k: string) => p.tags.find((t) => t.startsWith(`${k}:`))?.slice(k.length + 1);
    const key = (name: string, value: number, ts: number, type: string | undefined, stat: string | undefined) => JSON.stringify([name, value, ts, type, stat ?? null]);
    expect(rx.points.map((p) => key(p.metric, p.value, p.timestamp, tag(p, 'zoom.qos.type'), tag(p, 'zoom.qos.stat'))).sort()).to.deep.equal(
      expected.map((s) => key(s.metric, s.value, Math.floor(s.time_ms / 1000), s.attributes['zoom.qos.type']?.toLowerCase(), s.attributes['zoom.qos.stat'])).sort(),
    );
    expect(rx.points.every((p) => p.type === 3 && p.tags.includes('env:test') && !p.tags.some((t) => t.startsWith('zoom.participant.id:') || t.startsWith('zoom.meeting.uuid:')))).to.equal(true);
    expect(rx.points.find((p) => p.metric === 'zoom.qos.latency')).to.deep.include({ unit: 'second', resources: [{ name: 'worker-1', type: 'host' }] });
  });

  it('points outside Datadog\'s window are not sent, and counted', async () => {
    const old = busRecord(movedToNow(exampleBodies().find((b) => b.name === 'meeting.participant_qos')!.text, NOW - 2 * 3600_000));
    const { batch } = prepare({ sinks: { s: metricsSink() } }, [old, ...qosRecords().slice(0, 1)]);
    const { sink, metrics } = testSink(metricsSink());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    const tooOld = await metricValue(metrics, 'qss_forwarder_sink_points_dropped_total', { sink: 's', reason: 'too_old' });
    expect(tooOld).to.be.greaterThan(0);
    expect(rx.points.length + tooOld).to.equal(batch.points.length);
    expect(rx.problems).to.deep.equal([]);
  });

  it('events: each Zoom event as a log (array body, message = the event JSON without PII)', async () => {
    const records = allRecords();
    const cfg = metricsSink({ data: 'events' });
    const { batch } = prepare({ sinks: { s: cfg } }, records);
    const { sink } = testSink(cfg);
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.problems).to.deep.equal([]);
    expect(rx.logs).to.have.length(records.length);
    expect(rx.logs.every((l) => l.ddsource === 'zoom' && l.service === 'qss-forwarder' && l.hostname === 'worker-1')).to.equal(true);
    expect(JSON.parse(rx.logs[0]!.message).event).to.equal(records[0]!.meta.event);
    expect(rx.logs.map((l) => l.message).join('')).to.not.include('user@example.com');
  });

  it('429 with X-RateLimit-Reset and 503: retried with the server\'s wait, delivered once', async () => {
    rx.script({ status: 429, headers: { 'x-ratelimit-reset': '1' } }, { status: 503 });
    const { batch } = prepare({ sinks: { s: metricsSink() } }, qosRecords().slice(0, 1));
    const { sink } = testSink(metricsSink());
    const started = Date.now();
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    expect(Date.now() - started).to.be.at.least(950);
    await sink.close();
    expect(rx.requests.map((r) => r.status)).to.deep.equal([429, 503, 202]);
  });

  it('403 (bad API key) is refused for good; 413 splits', async () => {
    const { batch } = prepare({ sinks: { s: metricsSink() } }, qosRecords().slice(0, 2));
    const bad = testSink(metricsSink({ api_key: 'nope' }));
    const result = await bad.sink.write(batch, signalsFor());
    await bad.sink.close();
    expect(result.status === 'partial' && result.refused.map((r) => r.reason)).to.deep.equal(['http_403', 'http_403']);
    rx.script({ status: 413 });
    const good = testSink(metricsSink());
    expect(await good.sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await good.sink.close();
    expect(rx.points).to.have.length(batch.points.length);
  });

  it('a 400 is narrowed down to the one event whose points the intake refuses', async () => {
    const records = qosRecords().slice(0, 4);
    const { batch } = prepare({ sinks: { s: metricsSink() } }, records);
    rx.script({ status: 400 }, { status: 400 }, { status: 400 }, { status: 202 }, { status: 202 });
    const { sink } = testSink(metricsSink());
    const result = await sink.write(batch, signalsFor());
    await sink.close();
    expect(result.status === 'partial' && result.refused.map((r) => r.record.id)).to.deep.equal([records[0]!.id]);
  });
});
