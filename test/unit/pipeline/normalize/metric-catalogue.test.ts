import { expect } from 'chai';
import { METRIC_CATALOGUE, NON_METRIC_DETAIL_FIELDS, QOS_METRIC_NAMES } from '../../../../src/pipeline/normalize/metric-catalogue.ts';
import type { QosMetricSource } from '../../../../src/pipeline/normalize/metric-catalogue.ts';

describe('metric catalogue', () => {
  it('has the DESIGN.md names and units', () => {
    const table = Object.fromEntries(Object.values(METRIC_CATALOGUE).map((m) => [m.name, m.unit]));
    expect(table).to.deep.equal({
      'zoom.qos.bitrate': 'bit/s',
      'zoom.qos.latency': 's',
      'zoom.qos.jitter': 's',
      'zoom.qos.packet_loss': '1',
      'zoom.qos.frame_rate': '{frame}/s',
      'zoom.qos.resolution.width': '{pixel}',
      'zoom.qos.resolution.height': '{pixel}',
      'zoom.qos.cpu.utilization': '1',
      'zoom.qos.wifi.rssi': 'dBm',
      'zoom.qos.quality_score': '1',
      'zoom.qos.mos': '1',
    });
    expect(QOS_METRIC_NAMES).to.have.length(11);
  });

  it('feeds each detail field with one value kind and keeps (metric, stat, attributes) distinct', () => {
    const kinds = new Map<string, string>();
    const seen = new Set<string>();
    const duplicates: string[] = [];
    for (const m of Object.values(METRIC_CATALOGUE)) {
      expect(m.description).to.not.equal('');
      for (const s of m.sources as readonly QosMetricSource[]) {
        expect(kinds.get(s.field) ?? s.kind, s.field).to.equal(s.kind);
        kinds.set(s.field, s.kind);
        expect(NON_METRIC_DETAIL_FIELDS).to.not.include(s.field);
        const id = `${m.name}|${s.stat ?? ''}|${s.part ?? ''}|${JSON.stringify(s.attributes ?? {})}`;
        if (seen.has(id)) duplicates.push(id);
        seen.add(id);
      }
    }
    // `latency` (meetings) and `network_delay` (phone) both feed zoom.qos.latency but never share an item.
    expect(duplicates).to.deep.equal(['zoom.qos.latency|||{}']);
  });
});
