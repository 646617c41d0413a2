import { expect } from 'chai';
import { backoffMs, sleep } from '../../../src/retry/backoff.ts';

describe('backoff', () => {
  const policy = { initial_backoff_ms: 100, max_backoff_ms: 1000 };
  it('doubles the ceiling per attempt up to the cap (random just under 1)', () =>
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, policy, 0.9999))).to.deep.equal([99, 199, 399, 799, 999, 999]));
  it('full jitter: random 0 waits the minimum of 1 ms', () => expect(backoffMs(3, policy, 0)).to.equal(1));
  it('a Retry-After longer than the backoff wins', () => expect(backoffMs(1, policy, 0.5, 30000)).to.equal(30000));
  it('a Retry-After shorter than the backoff does not shorten it', () => expect(backoffMs(4, policy, 0.5, 10)).to.equal(400));
  it('huge attempt numbers do not overflow', () => expect(backoffMs(5000, policy, 0.5)).to.equal(500));
  it('sleep ends at once when aborted', async () => {
    const c = new AbortController();
    const started = Date.now();
    const p = sleep(60000, c.signal);
    c.abort();
    await p;
    expect(Date.now() - started).to.be.lessThan(5000);
  });
});
