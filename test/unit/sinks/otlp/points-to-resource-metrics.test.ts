// Points → OTLP ResourceMetrics: the time conversion.
import { expect } from 'chai';
import { hrTime } from '../../../../src/sinks/otlp/points-to-resource-metrics.ts';

describe('points to OTLP resource metrics', () => {
  it('times as HrTime', () => {
    expect(hrTime(1_700_000_000_123)).to.deep.equal([1_700_000_000, 123_000_000]);
  });
});
