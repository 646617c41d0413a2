// docs/routing.md lists what the code accepts: the attribute names and the `source:` values. Kept
// in step by this test.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { METRIC_SOURCE_NAMES } from '../../../src/pipeline/map/resolve-metric-source.ts';
import { SAMPLE_ATTRIBUTE_NAMES } from '../../../src/pipeline/map/sample-attribute-names.ts';
import { QOS_METRIC_NAMES } from '../../../src/pipeline/normalize/metric-catalogue.ts';

const doc = readFileSync('docs/routing.md', 'utf8');

/** First-column code spans of the table whose header row starts with `| header |`. */
function firstColumn(header: string): string[] {
  const start = doc.indexOf(`| ${header} |`);
  expect(start, `table "${header}"`).to.be.greaterThan(-1);
  const rows = doc.slice(start).split('\n').slice(2);
  const out: string[] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const cell = row.split('|')[1] ?? '';
    out.push(...[...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));
  }
  return out;
}

describe('docs/routing.md', () => {
  it('lists exactly the attributes a sample can carry', () => {
    expect(firstColumn('attribute')).to.deep.equal([...SAMPLE_ATTRIBUTE_NAMES]);
  });
  it('lists exactly the detail fields accepted as a custom metric source', () => {
    const fields = METRIC_SOURCE_NAMES.filter((n) => !(QOS_METRIC_NAMES as readonly string[]).includes(n));
    expect(firstColumn('source field').sort()).to.deep.equal([...fields].sort());
  });
});
