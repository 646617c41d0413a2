// The Datadog sink's pure encoder.
import { expect } from 'chai';
import { datadogMetricName, datadogSeriesBody, datadogTag, inDatadogWindow, tagger } from '../../../../src/sinks/datadog/sink-batch-to-datadog.ts';
import { point, record } from '../../../support/metric-points.ts';

describe('sink batch to Datadog', () => {
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
