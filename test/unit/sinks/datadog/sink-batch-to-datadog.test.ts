// The sinks' pure encoders and URL rules.
import { expect } from 'chai';
import type { BusRecord } from '../../../../src/bus/bus.ts';
import type { MetricPoint } from '../../../../src/pipeline/map/metric-point.ts';
import { datadogUrls } from '../../../../src/sinks/datadog/create-datadog-sink.ts';
import { datadogMetricName, datadogSeriesBody, datadogTag, inDatadogWindow, tagger } from '../../../../src/sinks/datadog/sink-batch-to-datadog.ts';
import { otlpHeaders, otlpMetricsUrl } from '../../../../src/sinks/otlp/create-otlp-sink.ts';
import { hrTime } from '../../../../src/sinks/otlp/points-to-resource-metrics.ts';
import { hecAckUrl, hecEventUrl } from '../../../../src/sinks/splunk-hec/create-splunk-hec-sink.ts';
import { hecMetricName, pointsToHecItems } from '../../../../src/sinks/splunk-hec/sink-batch-to-hec.ts';

const record = (id: string): BusRecord => ({ id, body: Buffer.from('{}'), meta: { app: 'default', event: 'meeting.participant_qos', receivedAt: 0 } });
const attrs = Object.freeze({ 'zoom.qos.type': 'audio_input', 'zoom.meeting.uuid': 'Ab/C==' });
const point = (name: string, value: number, time_ms: number, attributes = attrs): MetricPoint => ({ name, unit: 's', value, time_ms, attributes });

describe('sink encoders', () => {
  it('URLs: base URLs get the vendor path; explicit paths are kept', () => {
    expect(otlpMetricsUrl('http://c:4318')).to.equal('http://c:4318/v1/metrics');
    expect(otlpMetricsUrl('http://c:4318/otlp/v1/metrics/')).to.equal('http://c:4318/otlp/v1/metrics');
    expect(hecEventUrl('https://s:8088/')).to.equal('https://s:8088/services/collector/event');
    expect(hecEventUrl('https://s:8088/services/collector')).to.equal('https://s:8088/services/collector');
    expect(hecAckUrl('https://s:8088/services/collector/event')).to.equal('https://s:8088/services/collector/ack');
    expect(datadogUrls({ site: 'datadoghq.eu' })).to.deep.equal({ series: 'https://api.datadoghq.eu/api/v2/series', logs: 'https://http-intake.logs.datadoghq.eu/api/v2/logs' });
    expect(datadogUrls({ site: 'datadoghq.com', url: 'http://proxy:8080/' })).to.deep.equal({ series: 'http://proxy:8080/api/v2/series', logs: 'http://proxy:8080/api/v2/logs' });
  });

  it('OTLP headers from the OTEL_EXPORTER_OTLP_HEADERS form; times as HrTime', () => {
    expect(otlpHeaders('Authorization=Bearer%20a%3Db, x-tenant = t1 ,')).to.deep.equal({ authorization: 'Bearer a=b', 'x-tenant': 't1' });
    expect(otlpHeaders('')).to.deep.equal({});
    expect(hrTime(1_700_000_000_123)).to.deep.equal([1_700_000_000, 123_000_000]);
  });

  it('HEC: points of one record sharing attributes and time form one multi-metric event; a repeated metric opens another', () => {
    const r = record('1');
    const items = pointsToHecItems([point('zoom.qos.latency', 0.1, 1000), point('zoom.qos.jitter', 0.01, 1000), point('zoom.qos.latency', 0.2, 1000), point('zoom.qos.latency', 0.3, 2500)], [r, r, r, r], { source: 'qss-forwarder', index: 'm' });
    expect(items.map((i) => JSON.parse(i.json))).to.deep.equal([
      { time: 1, source: 'qss-forwarder', sourcetype: 'zoom:qss:metrics', index: 'm', event: 'metric', fields: { ...attrs, 'metric_name:zoom.qos.latency': 0.1, 'metric_name:zoom.qos.jitter': 0.01 } },
      { time: 1, source: 'qss-forwarder', sourcetype: 'zoom:qss:metrics', index: 'm', event: 'metric', fields: { ...attrs, 'metric_name:zoom.qos.latency': 0.2 } },
      { time: 2.5, source: 'qss-forwarder', sourcetype: 'zoom:qss:metrics', index: 'm', event: 'metric', fields: { ...attrs, 'metric_name:zoom.qos.latency': 0.3 } },
    ]);
    expect(hecMetricName('audio/latency-ms')).to.equal('audio_latency_ms');
  });

  it('Datadog: tags sanitised to the tag rules; names; the time window; series grouped by metric + tags', () => {
    expect(datadogTag('zoom.meeting.uuid', 'Ab/C+d==')).to.equal('zoom.meeting.uuid:ab/c_d__');
    expect(datadogTag('1x', 'y')).to.equal('t1x:y');
    expect(datadogTag('k', 'v'.repeat(300))).to.have.length(200);
    expect(datadogMetricName('audio/latency-ms')).to.equal('audio_latency_ms');
    const now = 10_000_000;
    expect([inDatadogWindow(now - 3_600_001, now), inDatadogWindow(now - 3_600_000, now), inDatadogWindow(now + 600_001, now)]).to.deep.equal(['too_old', 'ok', 'too_far_ahead']);
    const tags = tagger(['env:test']);
    const body = JSON.parse(datadogSeriesBody([point('zoom.qos.latency', 0.1, 1999), point('zoom.qos.latency', 0.2, 2000)].map((p) => ({ point: p, record: record('1'), tags: tags(p.attributes) })), 'h1').toString());
    expect(body).to.deep.equal({ series: [{ metric: 'zoom.qos.latency', type: 3, points: [{ timestamp: 1, value: 0.1 }, { timestamp: 2, value: 0.2 }], tags: ['env:test', 'zoom.meeting.uuid:ab/c__', 'zoom.qos.type:audio_input'], unit: 'second', resources: [{ name: 'h1', type: 'host' }] }] });
  });
});
