import { expect } from 'chai';
import { didYouMean } from '../../../src/config/did-you-mean.ts';

describe('didYouMean', () => {
  const known = ['max_batch_events', 'shutdown_grace_ms', 'retry'];

  it('names the closest known name within the allowed edits', () => {
    expect(didYouMean('max_batch_event', known)).to.equal(' (did you mean "max_batch_events"?)');
    expect(didYouMean('retyr', known)).to.equal(' (did you mean "retry"?)');
  });

  it('says nothing when no known name is close, or none is known', () => {
    expect(didYouMean('listen_port', known)).to.equal('');
    expect(didYouMean('retry', [])).to.equal('');
  });

  it('allows max(2, length/3) edits: 2 for a short name, more for a long one', () => {
    expect(didYouMean('ab', ['xy'])).to.equal(' (did you mean "xy"?)'); // 2 edits
    expect(didYouMean('abc', ['xyz'])).to.equal(''); // 3 edits > 2
    expect(didYouMean('shutdown_grace', ['shutdown_grace_ms'])).to.equal(' (did you mean "shutdown_grace_ms"?)'); // 3 edits ≤ 14/3
  });
});
