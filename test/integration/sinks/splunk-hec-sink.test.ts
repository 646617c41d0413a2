// The splunk_hec sink against the HEC conformance receiver (test/support/receivers): metrics and
// events as Splunk documents them, indexer acknowledgement, and the failure rules.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHecReceiver, type HecReceiver } from '../../support/receivers/hec-receiver.ts';
import { exampleRecords, prepare, samplesOf, signalsFor, testSink } from '../../support/sink-batches.ts';
import { metricValue } from '../../support/test-deps.ts';

const NOW = Date.now();
const examples = exampleRecords(NOW);
const allRecords = examples.all;
const qosRecords = examples.qos;

describe('splunk_hec sink → HEC conformance receiver', function () {
  this.timeout(30000);
  let rx: HecReceiver;
  beforeEach(async () => {
    rx = await startHecReceiver({ tokens: { 'tok-1': { indexes: ['zoom_metrics', 'zoom_events'] }, 'tok-ack': { ack: true } }, ackAfterPolls: 2 });
  });
  afterEach(() => rx.close());

  const metricsSink = (over: object = {}) => ({ type: 'splunk_hec', url: rx.url, token: 'tok-1', index: 'zoom_metrics', data: 'metrics', timeout_ms: 500, ...over });
  const eventsSink = (over: object = {}) => ({ type: 'splunk_hec', url: rx.url, token: 'tok-1', index: 'zoom_events', data: 'events', ...over });

  it('metrics: multi-metric events whose measurements are the normalized samples, with the samples\' times in epoch seconds', async () => {
    const records = qosRecords();
    const { batch } = prepare({ sinks: { s: metricsSink() } }, records);
    const { sink } = testSink(metricsSink());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.problems).to.deep.equal([]);
    const expected = samplesOf(records);
    const key = (name: string, value: number, time: number | undefined, d: Record<string, unknown>) => JSON.stringify([name, value, time, d['zoom.qos.type'], d['zoom.qos.stat'] ?? null, d['zoom.event']]);
    expect(rx.measurements.map((m) => key(m.name, m.value, m.time, m.dimensions)).sort()).to.deep.equal(expected.map((s) => key(s.metric, s.value, s.time_ms / 1000, s.attributes)).sort());
    expect(rx.events.every((e) => e.event === 'metric' && e.index === 'zoom_metrics' && e.sourcetype === 'zoom:qss:metrics' && e.source === 'qss-forwarder')).to.equal(true);
    expect(rx.events.length).to.be.lessThan(rx.measurements.length); // several measurements share an event
    expect(rx.requests.every((r) => r.contentEncoding === 'gzip')).to.equal(true);
  });

  it('events: every Zoom event (PII dropped by default) with sourcetype zoom:qss:<event> and time = event_ts', async () => {
    const records = allRecords();
    const { batch } = prepare({ sinks: { s: eventsSink() } }, records);
    const { sink } = testSink(eventsSink());
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.problems).to.deep.equal([]);
    expect(rx.events.map((e) => e.sourcetype)).to.deep.equal(records.map((r) => `zoom:qss:${r.meta.event}`));
    expect(rx.events.every((e) => e.time === NOW / 1000)).to.equal(true);
    const text = JSON.stringify(rx.events);
    expect(text).to.not.include('user@example.com').and.not.include('"pc_name"');
    expect(text).to.include('"data_center":"SC"');
  });

  it('one event HEC refuses (invalid-event-number): only its record is refused; the rest is sent again and arrives', async () => {
    const records = allRecords();
    const { batch } = prepare({ sinks: { s: eventsSink() } }, records);
    rx.rejectEvents((e) => (e.event as { event?: string }).event === 'phone.call_qos');
    const { sink } = testSink(eventsSink());
    const result = await sink.write(batch, signalsFor());
    await sink.close();
    const phone = records.find((r) => r.meta.event === 'phone.call_qos')!;
    expect(result.status === 'partial' && result.refused.map((r) => [r.record.id, r.reason])).to.deep.equal([[phone.id, 'http_400_code_6']]);
    expect(rx.events).to.have.length(records.length - 1);
  });

  it('server busy (503, code 9) with Retry-After: waited for, retried, delivered once', async () => {
    rx.script({ status: 503, headers: { 'retry-after': '1' } });
    const { batch } = prepare({ sinks: { s: eventsSink() } }, allRecords().slice(0, 3));
    const { sink } = testSink(eventsSink());
    const started = Date.now();
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    expect(Date.now() - started).to.be.at.least(950);
    await sink.close();
    expect(rx.events).to.have.length(3);
  });

  it('a wrong token (403, code 4) is refused for good, not retried', async () => {
    const { batch } = prepare({ sinks: { s: eventsSink() } }, allRecords().slice(0, 2));
    const { sink } = testSink(eventsSink({ token: 'wrong' }));
    const result = await sink.write(batch, signalsFor());
    await sink.close();
    expect(result.status === 'partial' && result.refused.map((r) => r.reason)).to.deep.equal(['http_403_code_4', 'http_403_code_4']);
    expect(rx.requests).to.have.length(1);
  });

  it('413 splits; a slow answer times out and is retried; all arrives once', async () => {
    rx.script({ status: 413 }, { status: 200, delayMs: 1500 });
    const { batch } = prepare({ sinks: { s: eventsSink({ timeout_ms: 500 }) } }, allRecords().slice(0, 4));
    const { sink, metrics } = testSink(eventsSink({ timeout_ms: 500 }));
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(await metricValue(metrics, 'qss_forwarder_sink_requests_total', { sink: 's', result: 'timeout' })).to.equal(1);
    // The timed-out request may have been stored by the receiver before its late answer: at-least-once.
    expect(new Set(rx.events.map((e) => JSON.stringify(e))).size).to.equal(4);
  });

  it('indexer acknowledgement: a request counts as delivered only once its ackId is indexed', async () => {
    const cfg = eventsSink({ token: 'tok-ack', index: undefined, indexer_ack: { enabled: true, poll_interval_ms: 50 } });
    const { batch } = prepare({ sinks: { s: cfg } }, allRecords().slice(0, 2));
    const { sink } = testSink(cfg);
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.problems).to.deep.equal([]);
    expect([...rx.acked]).to.deep.equal([0]);
    expect(rx.requests.filter((r) => r.path === '/services/collector/ack')).to.have.length(3);
  });

  it('indexer acknowledgement: a poll answered 200 with a body that is not {"acks":{…}} tells nothing; polling goes on and the request is delivered once', async () => {
    rx.scriptAcks({ status: 200, body: '<html>gateway says hi</html>', headers: { 'content-type': 'text/html' } }, { status: 200, body: 'null' }, { status: 200, body: '{"acks":[true]}' });
    const cfg = eventsSink({ token: 'tok-ack', index: undefined, indexer_ack: { enabled: true, poll_interval_ms: 50 } });
    const { batch } = prepare({ sinks: { s: cfg } }, allRecords().slice(0, 2));
    const { sink, metrics } = testSink(cfg);
    expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
    await sink.close();
    expect(rx.problems).to.deep.equal([]);
    expect(rx.requests.filter((r) => r.path === '/services/collector/event')).to.have.length(1); // not sent again
    expect(rx.requests.filter((r) => r.path === '/services/collector/ack')).to.have.length(3 + 3);
    expect(rx.events).to.have.length(2);
    expect(await metricValue(metrics, 'qss_forwarder_sink_requests_total', { sink: 's', result: 'success' })).to.equal(1);
  });

  it('indexer acknowledgement: polls unreadable until timeout_ms are a retryable ack_unreadable (the request is sent again), never a throw', async () => {
    rx.scriptAcks(...Array.from({ length: 1000 }, () => ({ status: 200, body: 'not json' })));
    const cfg = eventsSink({ token: 'tok-ack', index: undefined, indexer_ack: { enabled: true, poll_interval_ms: 20, timeout_ms: 200 } });
    const { batch } = prepare({ sinks: { s: cfg } }, allRecords().slice(0, 1));
    const { sink, metrics } = testSink(cfg, { max_attempts: 2 });
    const result = await sink.write(batch, signalsFor());
    await sink.close();
    expect(result.status === 'partial' && result.refused.map((r) => r.reason)).to.deep.equal(['retries_exhausted:ack_unreadable']);
    expect(await metricValue(metrics, 'qss_forwarder_sink_requests_total', { sink: 's', result: 'ack_unreadable' })).to.equal(2);
    expect(rx.requests.filter((r) => r.path === '/services/collector/event')).to.have.length(2);
  });

  it('TLS: trusts a private CA from tls.ca_file; without it the certificate is refused (retried, never sent in clear)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qssf-hec-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    let got = 0;
    const server = createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (req, res) => {
      got++;
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { batch } = prepare({ sinks: { s: eventsSink() } }, allRecords().slice(0, 1));
      const trusted = testSink(eventsSink({ url, tls: { ca_file: join(dir, 'c.pem') } }));
      expect(await trusted.sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
      await trusted.sink.close();
      const untrusted = testSink(eventsSink({ url }), { max_attempts: 2 });
      const result = await untrusted.sink.write(batch, signalsFor());
      await untrusted.sink.close();
      expect(result.status === 'partial' && result.refused[0]?.reason).to.match(/^retries_exhausted:network_/);
      expect(got).to.equal(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
