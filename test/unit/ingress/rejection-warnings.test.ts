import { expect } from 'chai';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createRejectionWarnings } from '../../../src/ingress/rejection-warnings.ts';

describe('createRejectionWarnings', () => {
  const setup = () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), cb()) });
    const timers: (() => void)[] = [];
    const warnings = createRejectionWarnings({ logger: pino({ level: 'warn' }, sink), maxClockSkewSeconds: 300, schedule: (fn) => void timers.push(fn) });
    /** The window ends: run the timers due now. */
    const tick = () => timers.splice(0).forEach((fn) => fn());
    return { lines, warnings, tick };
  };

  it('warns at the first bad signature of an app, then once per window with the count, naming the setting to check', () => {
    const { lines, warnings, tick } = setup();
    for (let i = 0; i < 5; i++) warnings.note('default', 'ZQ_ERR_INGRESS_BAD_SIGNATURE');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 40, app: 'default', requests: 1, setting: 'zoom.apps.default.secret_token', msg: 'webhook signatures do not match the app\'s Secret Token' });
    expect(lines[0]!.hint).to.include('ZOOM_WEBHOOK_SECRET_TOKEN').and.include('Features → Access').and.include('previous_secret_tokens');
    tick();
    expect(lines).to.have.length(2);
    expect(lines[1]).to.include({ app: 'default', requests: 4, window_seconds: 60 });
    tick(); // a window with none: no line, and the next one is reported at once again
    expect(lines).to.have.length(2);
    warnings.note('default', 'ZQ_ERR_INGRESS_BAD_SIGNATURE');
    expect(lines).to.have.length(3);
  });

  it('keeps apps and kinds apart; timestamps outside the window say to check the clock, stale and future counted', () => {
    const { lines, warnings, tick } = setup();
    warnings.note('second', 'ZQ_ERR_INGRESS_BAD_SIGNATURE');
    warnings.note('default', 'ZQ_ERR_INGRESS_STALE_TIMESTAMP');
    warnings.note('default', 'ZQ_ERR_INGRESS_FUTURE_TIMESTAMP');
    warnings.note('default', 'ZQ_ERR_INGRESS_STALE_TIMESTAMP');
    expect(lines.map((l) => [l.app, l.msg])).to.deep.equal([
      ['second', 'webhook signatures do not match the app\'s Secret Token'],
      ['default', 'webhook timestamps are outside the replay window: check the clock'],
    ]);
    expect(lines[0]!.hint).to.include('zoom.apps.second.secret_token').and.not.include('ZOOM_WEBHOOK_SECRET_TOKEN');
    tick();
    expect(lines[2]).to.include({ app: 'default', requests: 2, stale: 1, future: 1, max_clock_skew_seconds: 300 });
  });

  it('ignores every other rejection (the counters have them)', () => {
    const { lines, warnings } = setup();
    for (const code of ['ZQ_ERR_INGRESS_MISSING_SIGNATURE', 'ZQ_ERR_INGRESS_INVALID_JSON', 'ZQ_ERR_BUS_FULL'] as const) warnings.note('default', code);
    expect(lines).to.deep.equal([]);
  });
});
