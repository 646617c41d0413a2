import { expect } from 'chai';
import { createLogSummarizer } from '../../../src/observability/create-log-summarizer.ts';
import { capturingLogger } from '../../support/test-deps.ts';

describe('createLogSummarizer', () => {
  it('writes the first line of a kind, counts repeats in the window, then one summary; a new window starts over', () => {
    const { logger, lines } = capturingLogger();
    let t = 0;
    const s = createLogSummarizer(logger, { windowMs: 60_000, now: () => t });
    for (let i = 0; i < 52; i++) {
      s.log('error', 'conn', { broker: 'b:9092', try: i }, 'Connection error');
      t += 1500;
    }
    s.log('warn', 'other', {}, 'something else');
    expect(lines.map((l) => l.msg)).to.deep.equal(['Connection error', 'Connection error (repeated 39 more times in the last 60 s)', 'Connection error', 'something else']);
    expect(lines[1]).to.include({ repeated: 39, try: 39, level: 50 });
    s.flush();
    expect(lines.at(-1)?.msg).to.equal('Connection error (repeated 11 more times in the last 60 s)');
    s.stop();
  });

  it('beyond maxKinds, lines pass through uncounted rather than being lost', () => {
    const { logger, lines } = capturingLogger();
    const s = createLogSummarizer(logger, { maxKinds: 1, now: () => 0 });
    s.log('warn', 'a', {}, 'a');
    s.log('warn', 'b', {}, 'b');
    s.log('warn', 'b', {}, 'b');
    s.log('warn', 'a', {}, 'a');
    expect(lines.map((l) => l.msg)).to.deep.equal(['a', 'b', 'b']);
    s.stop();
  });
});
