import { expect } from 'chai';
import { createReplayCache, replayKey } from '../../../src/ingress/replay-cache.ts';

describe('createReplayCache', () => {
  const setup = (maxEntries: number) => {
    const clock = { now: 1000 };
    const counts = { size: 0, evicted: 0 };
    const cache = createReplayCache({ maxEntries, nowSeconds: () => clock.now, onSize: (d) => (counts.size += d), onEvict: () => counts.evicted++ });
    return { clock, counts, cache };
  };

  it('knows a remembered signature until its expiry, and not after', () => {
    const { clock, cache } = setup(10);
    cache.remember('a', 1300);
    expect(cache.has('a')).to.equal(true);
    expect(cache.has('b')).to.equal(false);
    clock.now = 1300;
    expect(cache.has('a')).to.equal(true);
    clock.now = 1301;
    expect(cache.has('a')).to.equal(false);
  });

  it('lets expired entries go when the next one is added, and reports the size it holds', () => {
    const { clock, counts, cache } = setup(10);
    cache.remember('a', 1100);
    cache.remember('b', 1200);
    cache.remember('c', 1150); // stamped earlier than b: waits behind it
    expect([cache.size(), counts.size]).to.deep.equal([3, 3]);
    clock.now = 1160;
    cache.remember('d', 1460);
    expect([cache.size(), counts.size, counts.evicted]).to.deep.equal([3, 3, 0]);
    expect(cache.has('c'), 'expired, though still held').to.equal(false);
    clock.now = 1201;
    cache.remember('e', 1501);
    expect([cache.size(), counts.size]).to.deep.equal([2, 2]);
  });

  it('holds at most maxEntries: the oldest live one is evicted, and counted', () => {
    const { counts, cache } = setup(2);
    cache.remember('a', 1300);
    cache.remember('b', 1300);
    cache.remember('c', 1300);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).to.deep.equal([false, true, true]);
    expect([cache.size(), counts.size, counts.evicted]).to.deep.equal([2, 2, 1]);
  });

  it('remembers nothing with maxEntries 0', () => {
    const { counts, cache } = setup(0);
    cache.remember('a', 1300);
    expect([cache.has('a'), cache.size(), counts.size]).to.deep.equal([false, 0, 0]);
  });
});

describe('replayKey', () => {
  it('is the first 128 bits of the signature, base64', () => {
    const sig = `v0=${'0123456789abcdef'.repeat(4)}`;
    expect(replayKey(sig)).to.equal(Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64'));
    expect(replayKey(sig)).to.have.length(24);
    expect(replayKey(`v0=${'f'.repeat(64)}`)).to.not.equal(replayKey(sig));
  });
});
