// bench/soak/bad-input.ts, shorter: thousands of wrong requests of every kind and slow-loris
// connections at a real serve — the right status for each, no crash, nothing stored or forwarded.
import { expect } from 'chai';
import { runBadInput } from '../../bench/soak/bad-input.ts';

describe('bad input at a real serve', function () {
  this.timeout(180_000);
  it('answers every wrong request with its status, stores and forwards none of them, drops slow-loris connections, stays up', async () => {
    const r = await runBadInput({ requests: 2600, slowLoris: 50 });
    const wrong = Object.entries(r.classes).filter(([, c]) => Object.keys(c.answered).some((s) => !c.expected.includes(s) && !(c.expected.startsWith('connection closed') && s === 'cut')));
    expect(wrong, JSON.stringify(r.classes)).to.deep.equal([]);
    expect(r.wrongAnswers).to.equal(0);
    // Every oversized body gets its 413, under this load too: never a reset ("cut") instead.
    const oversized = r.classes['oversized body (> max_body_bytes)']!.answered;
    expect(Object.keys(oversized)).to.deep.equal(['413']);
    expect(r.requests).to.be.greaterThan(2000);
    expect([r.stored, r.forwarded]).to.deep.equal([0, 0]);
    expect(r.alive).to.equal(true);
    expect(r.slowLoris.closedByServer).to.equal(r.slowLoris.opened);
    expect(r.goodEventAccepted).to.equal(true);
    expect(r.rssMb.after).to.be.below(r.rssMb.before * 2 + 100);
  });
});
