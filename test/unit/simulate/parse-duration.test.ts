import { expect } from 'chai';
import { parseDuration } from '../../../src/simulate/parse-duration.ts';

describe('parseDuration', () => {
  const good: [string, number][] = [
    ['500ms', 500],
    ['60s', 60_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1.5m', 90_000],
    ['0.25s', 250],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    ['1s500ms', 1500],
    ['0s', 0],
    ['  45s ', 45_000],
  ];
  for (const [input, ms] of good) {
    it(`reads "${input}" as ${ms} ms`, () => {
      expect(parseDuration(input)).to.deep.equal({ ok: true, ms });
    });
  }

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['60', /unit is missing/],
    ['1.5', /unit is missing/],
    ['5 m', /cannot read "5 m"/],
    ['5M', /cannot read "5M"/],
    ['10d', /cannot read "10d"/],
    ['-5s', /cannot read "-5s"/],
    ['1m1m', /"m" appears twice/],
    ['abc', /cannot read "abc"/],
    ['.5s', /cannot read ".5s"/],
    ['5s!', /cannot read "!"/],
    ['200h', /longer than 7 days/],
  ];
  for (const [input, why] of bad) {
    it(`refuses "${input}" with a clear message`, () => {
      const result = parseDuration(input);
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.message).to.match(why);
      expect(result.message).to.contain(`invalid duration "${input}"`);
      expect(result.message).to.contain('examples: 500ms, 60s, 5m, 2h');
    });
  }
});
