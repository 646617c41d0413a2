import { expect } from 'chai';
import { retryWithBackoff, type AttemptOutcome } from '../../../src/delivery/retry-with-backoff.ts';

const signals = () => ({ stop: new AbortController(), abort: new AbortController() });
const policy = { initial_backoff_ms: 1, max_backoff_ms: 5, max_attempts: 0 };

/** Runs the loop over a script of outcomes (the last one repeats); records the attempts and their signals. */
function run(script: AttemptOutcome<string>[], over: { max_attempts?: number; initial_backoff_ms?: number; random?: () => number; s?: ReturnType<typeof signals> } = {}) {
  const s = over.s ?? signals();
  const attempts: number[] = [];
  const retried: string[] = [];
  const seen: AbortSignal[] = [];
  const promise = retryWithBackoff<string>({
    retry: { ...policy, ...(over.initial_backoff_ms === undefined ? {} : { initial_backoff_ms: over.initial_backoff_ms, max_backoff_ms: over.initial_backoff_ms }), max_attempts: over.max_attempts ?? 0 },
    signals: { stop: s.stop.signal, abort: s.abort.signal },
    random: over.random ?? (() => 0.5),
    attempt(attempt, signal) {
      attempts.push(attempt);
      seen.push(signal);
      return Promise.resolve(script[Math.min(attempt, script.length) - 1]!);
    },
    onRetry: (attempt, failure) => retried.push(`${attempt}:${failure.reason}`),
  });
  return { promise, attempts, retried, seen, s };
}

const failing = (reason: string, retryAfterMs?: number): AttemptOutcome<string> => (retryAfterMs === undefined ? { done: false, reason } : { done: false, reason, retryAfterMs });
const done = (value: string): AttemptOutcome<string> => ({ done: true, value });

describe('retryWithBackoff', () => {
  it('attempts again after each retryable answer until one is done; says how many it took', async () => {
    const r = run([failing('http_503'), failing('timeout'), done('ok')]);
    expect(await r.promise).to.deep.equal({ kind: 'done', value: 'ok', attempts: 3 });
    expect(r.attempts).to.deep.equal([1, 2, 3]);
    expect(r.retried).to.deep.equal(['1:http_503', '2:timeout']);
  });

  it('a first answer that is done is not retried', async () => {
    const r = run([done('ok')], { max_attempts: 1 });
    expect(await r.promise).to.deep.equal({ kind: 'done', value: 'ok', attempts: 1 });
    expect(r.retried).to.deep.equal([]);
  });

  it('max_attempts: exhausted after that many retryable answers, as retries_exhausted:<last reason>, with no wait announced for the last', async () => {
    const r = run([failing('http_503'), failing('http_503'), failing('timeout')], { max_attempts: 3 });
    expect(await r.promise).to.deep.equal({ kind: 'exhausted', reason: 'retries_exhausted:timeout', attempts: 3 });
    expect(r.retried).to.deep.equal(['1:http_503', '2:http_503']);
  });

  it('max_attempts 0 retries for ever (here: 50 answers)', async () => {
    const r = run([...Array.from({ length: 50 }, () => failing('down')), done('ok')]);
    expect(await r.promise).to.deep.include({ kind: 'done', attempts: 51 });
  });

  it('waits with full jitter: random × the doubling ceiling', async () => {
    const started = Date.now();
    const r = run([failing('down'), done('ok')], { initial_backoff_ms: 300, random: () => 0.99 });
    await r.promise;
    expect(Date.now() - started).to.be.at.least(280);
    const quick = Date.now();
    await run([failing('down'), done('ok')], { initial_backoff_ms: 300, random: () => 0 }).promise;
    expect(Date.now() - quick).to.be.lessThan(250);
  });

  it('honours Retry-After over the (shorter) backoff', async () => {
    const started = Date.now();
    const r = run([failing('http_429', 300), done('ok')]);
    await r.promise;
    expect(Date.now() - started).to.be.at.least(290);
  });

  it('stop during the wait: ends at once, no new attempt (stopped)', async () => {
    const r = run([failing('down')], { initial_backoff_ms: 60000, random: () => 0.99 });
    const started = Date.now();
    setTimeout(() => r.s.stop.abort(), 20);
    expect(await r.promise).to.deep.equal({ kind: 'stopped', attempts: 1 });
    expect(r.attempts).to.deep.equal([1]);
    expect(Date.now() - started).to.be.lessThan(5000);
  });

  it('stop already aborted: the attempt in hand is the last (no wait)', async () => {
    const s = signals();
    s.stop.abort();
    const r = run([failing('down')], { initial_backoff_ms: 60000, s });
    expect(await r.promise).to.deep.equal({ kind: 'stopped', attempts: 1 });
  });

  it('hands every attempt the abort signal (it cancels what is in flight)', async () => {
    const r = run([failing('down'), done('ok')]);
    await r.promise;
    expect(r.seen).to.deep.equal([r.s.abort.signal, r.s.abort.signal]);
  });

  it('an attempt that throws ends the loop with that error (the caller decides what a throw means)', async () => {
    const s = signals();
    let n = 0;
    const promise = retryWithBackoff({ retry: policy, signals: { stop: s.stop.signal, abort: s.abort.signal }, attempt: () => (++n === 1 ? Promise.reject(new Error('bug')) : Promise.resolve(done('ok'))) });
    await promise.then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.equal('bug'),
    );
    expect(n).to.equal(1);
  });
});
