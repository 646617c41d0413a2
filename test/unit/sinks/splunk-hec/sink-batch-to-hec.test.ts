// The HEC sink's pure encoder.
import { expect } from 'chai';
import { hecMetricName, pointsToHecItems } from '../../../../src/sinks/splunk-hec/sink-batch-to-hec.ts';
import { attrs, point, record } from '../../../support/metric-points.ts';

describe('sink batch to HEC', () => {
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
});
