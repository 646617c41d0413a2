import { expect } from 'chai';
import { parseEventTs, parseZoomTime } from '../../../../src/pipeline/normalize/parse-zoom-time.ts';

describe('parseZoomTime', () => {
  const rows: [unknown, number | undefined][] = [
    ['2021-07-13T21:44:51Z', Date.UTC(2021, 6, 13, 21, 44, 51)],
    ['2021-07-13T21:44:51.250Z', Date.UTC(2021, 6, 13, 21, 44, 51, 250)],
    ['2021-07-13T21:44:51.123456Z', Date.UTC(2021, 6, 13, 21, 44, 51, 123)],
    ['2021-07-13T21:44:51.5Z', Date.UTC(2021, 6, 13, 21, 44, 51, 500)],
    ['2021-07-13T23:44:51+02:00', Date.UTC(2021, 6, 13, 21, 44, 51)],
    ['2021-07-13T16:14:51-0530', Date.UTC(2021, 6, 13, 21, 44, 51)],
    ['2021-07-13T21:44:51', Date.UTC(2021, 6, 13, 21, 44, 51)],
    ['2021-07-13 21:44:51', Date.UTC(2021, 6, 13, 21, 44, 51)],
    ['2021-07-13T21:44Z', Date.UTC(2021, 6, 13, 21, 44)],
    ['2021-02-30T00:00:00Z', undefined],
    ['2021-07-13T24:00:00Z', undefined],
    ['2021-07-13', undefined],
    ['yesterday', undefined],
    ['', undefined],
    [1626230691572, undefined],
    [null, undefined],
  ];
  for (const [raw, expected] of rows) {
    it(`${JSON.stringify(raw)} → ${expected === undefined ? 'undefined' : new Date(expected).toISOString()}`, () =>
      expect(parseZoomTime(raw)).to.equal(expected));
  }
});

describe('parseEventTs', () => {
  it('takes epoch ms numbers', () => expect(parseEventTs(1626230691572)).to.equal(1626230691572));
  for (const raw of ['1626230691572', 0, -1, Number.NaN, null, undefined]) {
    it(`rejects ${String(raw)}`, () => expect(parseEventTs(raw)).to.equal(undefined));
  }
});
