// Walks test/fixtures/normalize: every `<case>.input.json` is normalized and compared with
// `<case>.expected.json`. The expected files are the spec and were checked by hand.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeQssEvent, QSS_EVENTS } from '../../../../src/pipeline/normalize/normalize-qss-event.ts';
import { METRIC_CATALOGUE } from '../../../../src/pipeline/normalize/metric-catalogue.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/normalize');
const RECEIVED_AT_MS = 1_700_000_000_000;

const readJson = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const cases = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.input.json'))
  .map((f) => f.slice(0, -'.input.json'.length))
  .sort();

/** Strings that must never reach a sample or a dimension (PII in the inputs). */
const PII = [/@/, /\b\d{1,3}(\.\d{1,3}){3}\b/, /([0-9A-F]{2}:){5}[0-9A-F]{2}/i, /My PC|MacBook|AirPods|Disk01|JillChill|Zoë|my-workspace/];

describe('normalizeQssEvent (fixtures)', () => {
  it('has fixtures', () => expect(cases.length).to.be.greaterThan(20));

  for (const name of cases) {
    it(name, () => {
      const actual = normalizeQssEvent(readJson(`${name}.input.json`), RECEIVED_AT_MS);
      // JSON round trip: the expected files cannot hold undefined or -0.
      expect(JSON.parse(JSON.stringify(actual))).to.deep.equal(readJson(`${name}.expected.json`));
      expect(actual).to.deep.equal(readJson(`${name}.expected.json`));
    });
  }

  it('covers every one of the 14 QSS event types with a non-empty result', () => {
    const seen = new Set<string>();
    for (const name of cases) {
      const r = normalizeQssEvent(readJson(`${name}.input.json`), RECEIVED_AT_MS);
      if ((r.kind === 'qos' && r.samples.length > 0) || (r.kind === 'dimensions' && r.records.length > 0)) seen.add(r.event);
    }
    expect([...seen].sort()).to.deep.equal(Object.keys(QSS_EVENTS).sort());
  });

  it('never puts PII (emails, IPs, MACs, names, PC names) into samples or dimensions', () => {
    for (const name of cases) {
      const text = JSON.stringify(normalizeQssEvent(readJson(`${name}.input.json`), RECEIVED_AT_MS));
      for (const pattern of PII) expect(text, `${name} matches ${pattern}`).not.to.match(pattern);
    }
  });

  it('emits only catalogue metrics with their catalogue units and finite values', () => {
    const units = new Map<string, string>(Object.values(METRIC_CATALOGUE).map((m) => [m.name, m.unit]));
    for (const name of cases) {
      const r = normalizeQssEvent(readJson(`${name}.input.json`), RECEIVED_AT_MS);
      if (r.kind !== 'qos') continue;
      for (const s of r.samples) {
        expect(units.get(s.metric), `${name} ${s.metric}`).to.equal(s.unit);
        expect(Number.isFinite(s.value), `${name} ${s.metric}`).to.equal(true);
        expect(s.attributes['zoom.qos.stat']).to.equal(s.stat);
      }
    }
  });

  it('does not mutate its input', () => {
    const body = readJson('zoom-example-meeting.participant_qos.input.json');
    const before = JSON.stringify(body);
    normalizeQssEvent(body, RECEIVED_AT_MS);
    expect(JSON.stringify(body)).to.equal(before);
  });
});
