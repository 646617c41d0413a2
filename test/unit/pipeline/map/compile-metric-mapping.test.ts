import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { compileAttributeFilter } from '../../../../src/pipeline/map/compile-attribute-filter.ts';
import { compileMetricMapping } from '../../../../src/pipeline/map/compile-metric-mapping.ts';
import type { MetricPoint } from '../../../../src/pipeline/map/metric-point.ts';
import { createSeriesLimiter } from '../../../../src/pipeline/map/series-limiter.ts';
import type { SinkMappingConfig } from '../../../../src/pipeline/map/sink-mapping-config.ts';
import { convertValue, unitFactor } from '../../../../src/pipeline/map/unit-conversions.ts';
import { normalizeQssEvent } from '../../../../src/pipeline/normalize/normalize-qss-event.ts';
import type { QosSample } from '../../../../src/pipeline/normalize/qos-sample.ts';
import { sinkConfig } from '../../../support/pipeline-deps.ts';

function samplesOf(file: string): QosSample[] {
  const n = normalizeQssEvent(JSON.parse(readFileSync(`test/fixtures/zoom/${file}`, 'utf8')), 0);
  if (n.kind !== 'qos') throw new Error(`${file}: ${n.kind}`);
  return n.samples;
}

const mapping = (over: object): SinkMappingConfig => sinkConfig({ type: 'file', path: 'x', data: 'metrics', ...over });
const mapAll = (config: SinkMappingConfig, samples: QosSample[], now = 0): { points: MetricPoint[]; dropped: number } => {
  const points: MetricPoint[] = [];
  const dropped = compileMetricMapping(config).map(samples, now, points);
  return { points, dropped };
};

describe('compileMetricMapping', () => {
  const samples = samplesOf('meeting.participant_qos.json');

  it('default catalogue: one point per sample, name/unit/value/time unchanged, all attributes kept', () => {
    const { points, dropped } = mapAll(mapping({}), samples);
    expect(dropped).to.equal(0);
    expect(points).to.have.length(samples.length);
    points.forEach((p, i) => {
      const s = samples[i]!;
      expect([p.name, p.unit, p.value, p.time_ms]).to.deep.equal([s.metric, s.unit, s.value, s.time_ms]);
      expect(p.attributes).to.deep.equal(s.attributes);
      expect(p.description).to.be.a('string').and.not.equal('');
    });
  });

  it('deny removes attributes (globs too); allow keeps only the listed ones', () => {
    const denied = mapAll(mapping({ attributes: { deny: ['zoom.participant.*', 'zoom.meeting.uuid'] } }), samples).points;
    for (const p of denied) {
      expect(Object.keys(p.attributes).filter((k) => k.startsWith('zoom.participant.') || k === 'zoom.meeting.uuid')).to.deep.equal([]);
      expect(p.attributes['zoom.qos.type']).to.be.a('string');
    }
    const allowed = mapAll(mapping({ attributes: { allow: ['zoom.qos.type', 'zoom.qos.stat'] } }), samples).points;
    for (const p of allowed) expect(Object.keys(p.attributes).every((k) => k === 'zoom.qos.type' || k === 'zoom.qos.stat')).to.equal(true);
  });

  it('filtered attribute objects are shared between points of the same source attributes (no object per point)', () => {
    const points = mapAll(mapping({ attributes: { deny: ['zoom.participant.id'] } }), samples).points;
    const distinct = new Set(points.map((p) => p.attributes));
    expect(distinct.size).to.equal(new Set(samples.map((s) => s.attributes)).size);
    expect(Object.isFrozen(points[0]?.attributes)).to.equal(true);
  });

  it('custom metrics: by catalogue name + stat + qos types, converted, with exactly the picked attributes', () => {
    const config = mapping({
      metrics: {
        catalogue: 'none',
        custom: [{ name: 'audio.latency_ms', source: 'zoom.qos.latency', unit: 'ms', qos_types: ['audio_input'], attributes: ['zoom.meeting.uuid', 'zoom.qos.type'], description: 'audio latency' }],
      },
    });
    const { points } = mapAll(config, samples);
    const expected = samples.filter((s) => s.metric === 'zoom.qos.latency' && s.attributes['zoom.qos.type'] === 'audio_input');
    expect(expected.length).to.be.greaterThan(0);
    expect(points.map((p) => [p.name, p.unit, p.value])).to.deep.equal(expected.map((s) => ['audio.latency_ms', 'ms', Number((s.value * 1000).toPrecision(15))]));
    expect(points[0]?.attributes).to.deep.equal({ 'zoom.meeting.uuid': expected[0]?.attributes['zoom.meeting.uuid'], 'zoom.qos.type': 'audio_input' });
    expect(points[0]?.description).to.equal('audio latency');
  });

  it('custom metrics: a detail field selects its metric, stat and fixed attributes (cpu scope)', () => {
    const summary = samplesOf('meeting.participant_qos_summary.json');
    const config = mapping({ metrics: { catalogue: 'none', custom: [{ name: 'cpu.client.max', source: 'zoom_max_cpu_usage', unit: '%' }, { name: 'cpu.system.max', source: 'system_max_cpu_usage', unit: '%' }] } });
    const { points } = mapAll(config, summary);
    const client = summary.filter((s) => s.metric === 'zoom.qos.cpu.utilization' && s.stat === 'max' && s.attributes['zoom.cpu.scope'] === 'client');
    const system = summary.filter((s) => s.metric === 'zoom.qos.cpu.utilization' && s.attributes['zoom.cpu.scope'] === 'system');
    expect(client.length + system.length).to.be.greaterThan(0);
    expect(points.filter((p) => p.name === 'cpu.client.max').map((p) => p.value)).to.deep.equal(client.map((s) => convertValue(s.value, 100)));
    expect(points.filter((p) => p.name === 'cpu.system.max')).to.have.length(system.length);
  });

  it('stat none selects real-time values only', () => {
    const summary = samplesOf('meeting.participant_qos_summary.json');
    const config = mapping({ metrics: { catalogue: 'none', custom: [{ name: 'lat.rt', source: 'zoom.qos.latency', stat: 'none' }] } });
    expect(mapAll(config, summary).points).to.have.length(summary.filter((s) => s.metric === 'zoom.qos.latency' && s.stat === undefined).length);
  });

  it('the cardinality cap drops points of new series beyond it and counts them; known series still pass', () => {
    const config = mapping({ cardinality: { max_series_per_metric: 1, idle_minutes: 1 } });
    const first = mapAll(config, samples);
    const perMetric = new Map<string, number>();
    for (const s of samples) perMetric.set(s.metric, (perMetric.get(s.metric) ?? 0) + 1);
    // One series per metric passes; the same series again passes too (identical attributes).
    expect(first.points.length + first.dropped).to.equal(samples.length);
    expect(new Set(first.points.map((p) => p.name)).size).to.equal(perMetric.size);
    expect(first.dropped).to.be.greaterThan(0);
  });
});

describe('createSeriesLimiter', () => {
  const a = Object.freeze({ k: 'a' });
  const b = Object.freeze({ k: 'b' });
  const c = Object.freeze({ k: 'c' });
  it('admits up to the cap, then only known series; idle series free their place', () => {
    const limiter = createSeriesLimiter({ maxSeriesPerMetric: 2, idleMs: 1000 });
    expect([limiter.admit('m', a, 0), limiter.admit('m', b, 10), limiter.admit('m', c, 20)]).to.deep.equal([true, true, false]);
    expect(limiter.admit('m', { k: 'a' }, 30)).to.equal(true); // same values, another object: same series
    expect(limiter.admit('other', c, 30)).to.equal(true); // the cap is per metric
    expect(limiter.admit('m', c, 1015)).to.equal(true); // b idle since 10 → freed; a was seen at 30
    expect(limiter.admit('m', b, 1016)).to.equal(false);
    expect(limiter.series()).to.deep.equal({ m: 2, other: 1 });
  });
  it('attribute order does not make a new series', () => {
    const limiter = createSeriesLimiter({ maxSeriesPerMetric: 1, idleMs: 1000 });
    expect(limiter.admit('m', { x: '1', y: '2' }, 0)).to.equal(true);
    expect(limiter.admit('m', { y: '2', x: '1' }, 0)).to.equal(true);
  });
  it('0 = no cap', () => {
    const limiter = createSeriesLimiter({ maxSeriesPerMetric: 0, idleMs: 1000 });
    for (let i = 0; i < 100; i++) expect(limiter.admit('m', { i: String(i) }, 0)).to.equal(true);
  });
});

describe('unit conversions', () => {
  it('converts exactly where decimal arithmetic would', () => {
    expect(convertValue(0.134, unitFactor('s', 'ms')!)).to.equal(134);
    expect(convertValue(0.0005, unitFactor('1', '%')!)).to.equal(0.05);
    expect(convertValue(27150, unitFactor('bit/s', 'kbit/s')!)).to.equal(27.15);
    expect(convertValue(8000, unitFactor('bit/s', 'By/s')!)).to.equal(1000);
  });
  it('refuses units that do not fit', () => {
    expect(unitFactor('bit/s', 'ms')).to.equal(undefined);
    expect(unitFactor('s', 'toString')).to.equal(undefined);
  });
});

describe('compileAttributeFilter', () => {
  it('no rules: the same object back', () => {
    const attrs = Object.freeze({ a: '1' });
    expect(compileAttributeFilter({})(attrs)).to.equal(attrs);
  });
});
