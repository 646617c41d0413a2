import { expect } from 'chai';
import { answeringAgainMs, backlogNormalMs } from '../../../bench/soak/recovery-times.ts';

describe('soak recovery times', () => {
  const fault = [{ startMs: 10_000, endMs: 11_000 }];

  it('answering again: from the fault to the first clean second after the last failing one', () => {
    const acks = [9, 10, 11, 12, 13, 14].map((s) => ({ tMs: s * 1000, answered: s === 11 ? 0 : 50, failed: s === 10 || s === 12 ? 5 : s === 11 ? 3 : 0 }));
    expect(answeringAgainMs(fault, acks)).to.equal(3000);
    expect(answeringAgainMs(fault, acks.map((a) => ({ ...a, failed: 0 })))).to.equal(0); // a sink fault: the ingress never failed
    expect(answeringAgainMs([], acks)).to.equal(undefined);
    expect(answeringAgainMs(fault, acks.slice(0, 4))).to.equal(undefined); // still failing at the end of the run
  });

  it('backlog back to normal: past the peak, at the level before the fault (+20 %)', () => {
    const records = [100, 90, 110, 100, 500, 2000, 3000, 1500, 400, 130, 115];
    const lag = records.map((r, i) => ({ tMs: 5000 + i * 1000, records: r }));
    // before the fault (5–9 s): max 110 → normal ≤ 132; peak 3000 at 11 s; back at 14 s (130)
    expect(backlogNormalMs([{ startMs: 9000, endMs: 10_000 }], lag)).to.equal(5000);
    expect(backlogNormalMs([{ startMs: 9000, endMs: 10_000 }], lag.slice(0, 9))).to.equal(undefined);
    expect(backlogNormalMs([], lag)).to.equal(undefined);
  });
});
