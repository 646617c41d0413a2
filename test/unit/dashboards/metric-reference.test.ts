import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { metricReferenceMarkdown } from '../../../src/dashboards/metric-reference.ts';
import { QOS_METRIC_NAMES } from '../../../src/pipeline/normalize/metric-catalogue.ts';

describe('docs/metrics.md', () => {
  it('is what the code generates (run `npm run docs:metrics`)', async () => {
    expect(readFileSync('docs/metrics.md', 'utf8')).to.equal(await metricReferenceMarkdown());
  });
  it('lists every catalogue metric and the forwarder\'s own metrics with their labels', async () => {
    const md = await metricReferenceMarkdown();
    for (const name of QOS_METRIC_NAMES) expect(md).to.include(`| \`${name}\` |`);
    expect(md).to.match(/\| `qss_forwarder_sink_requests_total` \| counter \| `sink`, `result` \|/);
  });
});
