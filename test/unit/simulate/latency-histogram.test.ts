import { expect } from 'chai';
import { createLatencyHistogram, createLatencySeries } from '../../../src/simulate/latency-histogram.ts';

describe('createLatencyHistogram', () => {
  it('reports zeros when nothing was recorded', () => {
    expect(createLatencyHistogram().stats()).to.deep.equal({ p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('gives quantiles within ~1 % and the exact max', () => {
    const h = createLatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 … 100 ms
    expect(h.count()).to.equal(1000);
    expect(h.quantile(0.5)).to.be.closeTo(50, 0.6);
    expect(h.quantile(0.99)).to.be.closeTo(99, 1.1);
    expect(h.stats().p90).to.be.closeTo(90, 1);
    expect(h.max()).to.equal(100);
    expect(h.quantile(1)).to.be.at.most(100);
    expect(h.quantile(0.001)).to.be.closeTo(0.1, 0.01);
  });

  it('keeps sub-millisecond latencies apart', () => {
    const h = createLatencyHistogram();
    for (const ms of [0.21, 0.22, 0.23, 0.84]) h.record(ms);
    expect(h.quantile(0.5)).to.be.closeTo(0.225, 0.006);
    expect(h.stats().max).to.equal(0.84);
  });

  it('treats negative or non-finite samples as 0 instead of corrupting the stats', () => {
    const h = createLatencyHistogram();
    h.record(-5);
    h.record(Number.NaN);
    h.record(2);
    expect(h.count()).to.equal(3);
    expect(h.quantile(0.5)).to.equal(0.005);
    expect(h.max()).to.equal(2);
  });
});

describe('createLatencySeries', () => {
  it('keeps one row per second, in time order, with answers, failures and that second\'s latency', () => {
    const series = createLatencySeries();
    series.record(2500, 40, false);
    series.record(100, 5, false);
    series.record(900, 7, true); // a 503 answer: answered and failed
    series.record(2100, undefined, true); // no answer at all
    series.record(2999, 10, false);
    const rows = series.rows();
    expect(rows.map((r) => r.slice(0, 3))).to.deep.equal([[0, 2, 1], [2, 2, 1]]);
    expect(rows[0]?.[5]).to.equal(7);
    expect(rows[1]?.[3]).to.be.closeTo(10, 0.2);
    expect(rows[1]?.[5]).to.equal(40);
  });

  it('has no rows when nothing happened', () => {
    expect(createLatencySeries().rows()).to.deep.equal([]);
  });
});
