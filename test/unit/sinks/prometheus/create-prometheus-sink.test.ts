import { expect } from 'chai';
import { createServer } from 'node:net';
import type { MetricPoint } from '../../../../src/pipeline/map/metric-point.ts';
import { METRIC_CATALOGUE } from '../../../../src/pipeline/normalize/metric-catalogue.ts';
import { createGaugeStore } from '../../../../src/sinks/prometheus/gauge-store.ts';
import { prometheusLabelName, prometheusMetricName } from '../../../../src/sinks/prometheus/prometheus-names.ts';
import { busRecord, exampleBodies, movedToNow, prepare, signalsFor, testSink } from '../../../support/sink-batches.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

describe('prometheus sink', () => {
  it('names the catalogue as the OpenTelemetry Collector\'s Prometheus exporter does', () => {
    const names = Object.values(METRIC_CATALOGUE).map((m) => prometheusMetricName(m.name, m.unit));
    expect(names).to.deep.equal([
      'zoom_qos_bitrate_bit_per_second',
      'zoom_qos_latency_seconds',
      'zoom_qos_jitter_seconds',
      'zoom_qos_packet_loss_ratio',
      'zoom_qos_frame_rate_per_second',
      'zoom_qos_resolution_width',
      'zoom_qos_resolution_height',
      'zoom_qos_cpu_utilization_ratio',
      'zoom_qos_wifi_rssi_dBm',
      'zoom_qos_quality_score_ratio',
      'zoom_qos_mos_ratio',
    ]);
    // The translator's own examples.
    expect([prometheusMetricName('http.server.duration', 's'), prometheusMetricName('memory.usage', 'By'), prometheusMetricName('x', 'By/s'), prometheusMetricName('a.ratio.b', '1'), prometheusMetricName('9lives', 'ms')]).to.deep.equal([
      'http_server_duration_seconds',
      'memory_usage_bytes',
      'x_bytes_per_second',
      'a_b_ratio',
      '_9lives_milliseconds',
    ]);
    expect([prometheusLabelName('zoom.qos.type'), prometheusLabelName('1st-key')]).to.deep.equal(['zoom_qos_type', 'key_1st_key']);
  });

  it('keeps the newest value per series, escapes label values, drops idle series', () => {
    const store = createGaugeStore({ idleMs: 60_000 });
    const a = Object.freeze({ 'zoom.qos.type': 'audio_input', 'zoom.participant.location': 'São "Paulo"\\x' });
    const p = (value: number, time_ms: number, attributes: Readonly<Record<string, string>> = a): MetricPoint => ({ name: 'zoom.qos.latency', unit: 's', value, time_ms, attributes, description: 'One-way latency.' });
    store.update([p(0.2, 2000), p(0.1, 1000)], 0); // the older sample arrives later: ignored
    store.update([p(0.3, 500, Object.freeze({ 'zoom.qos.type': 'video_input' }))], 30_000);
    expect(store.render(40_000, false)).to.equal(
      [
        '# HELP zoom_qos_latency_seconds One-way latency.',
        '# TYPE zoom_qos_latency_seconds gauge',
        'zoom_qos_latency_seconds{zoom_participant_location="São \\"Paulo\\"\\\\x",zoom_qos_type="audio_input"} 0.2',
        'zoom_qos_latency_seconds{zoom_qos_type="video_input"} 0.3',
        '',
      ].join('\n'),
    );
    expect(store.render(70_000, true)).to.equal('# HELP zoom_qos_latency_seconds One-way latency.\n# TYPE zoom_qos_latency_seconds gauge\nzoom_qos_latency_seconds{zoom_qos_type="video_input"} 0.3 500\n');
    expect(store.render(100_000, false)).to.equal('');
  });

  it('serves the example events\' samples on its scrape endpoint', async () => {
    const port = await freePort();
    const now = Date.now();
    const records = exampleBodies().map((b) => busRecord(movedToNow(b.text, now)));
    const cfg = { type: 'prometheus', host: '127.0.0.1', port };
    const { batch } = prepare({ sinks: { s: cfg } }, records);
    const { sink } = testSink(cfg);
    try {
      expect(await sink.write(batch, signalsFor())).to.deep.equal({ status: 'success' });
      let text = '';
      for (let i = 0; i < 50 && text === ''; i++) {
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
        if (text === '') await new Promise((r) => setTimeout(r, 20));
      }
      const latency = text.split('\n').find((l) => l.startsWith('zoom_qos_latency_seconds{') && l.includes('zoom_event="meeting.participant_qos"') && l.includes('zoom_qos_type="audio_input"'));
      expect(latency?.split(' ').pop()).to.equal('0.134');
      // Every sample line is `name{labels} value`, names and labels in the legacy character set.
      for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) expect(line).to.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+-]+$/);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).to.equal(404);
    } finally {
      await sink.close();
    }
  });
});
