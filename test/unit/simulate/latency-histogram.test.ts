import { expect } from 'chai';
import { createLatencyHistogram } from '../../../src/simulate/latency-histogram.ts';

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
