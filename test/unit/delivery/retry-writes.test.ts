import { expect } from 'chai';
import { permanent, retryable, SUCCESS, type DeliveryResult, type Identified } from '../../../src/delivery/delivery-result.ts';
import { retryingWrite } from '../../../src/delivery/retry-writes.ts';
import { capturingLogger, freshMetrics, metricValue } from '../../support/test-deps.ts';

const signals = () => ({ stop: new AbortController(), abort: new AbortController() });

/** A write answering from a script (a function of the call number; it may throw), wrapped as the registry wraps every sink's. */
function run(script: (call: number) => DeliveryResult<Identified>, over: { max_attempts?: number; initial_backoff_ms?: number; s?: ReturnType<typeof signals> } = {}) {
  const s = over.s ?? signals();
  const metrics = freshMetrics();
  const { logger, lines } = capturingLogger();
  const calls: number[] = [];
  const backoff = over.initial_backoff_ms ?? 1;
  const write = retryingWrite<string, Identified>(
    (_batch, sig) => {
      calls.push(Date.now());
      expect(sig.stop).to.equal(s.stop.signal);
      return Promise.resolve().then(() => script(calls.length));
    },
    { name: 'out', retry: { initial_backoff_ms: backoff, max_backoff_ms: backoff, max_attempts: over.max_attempts ?? 0 }, metrics, logger, random: () => 0.99 },
  );
  const promise = write('batch', { stop: s.stop.signal, abort: s.abort.signal });
  const failures = (reason: string) => metricValue(metrics, 'qss_forwarder_sink_failures_total', { sink: 'out', reason });
  const said = (msg: string) => lines.filter((l) => l.msg === msg);
  return { promise, calls, failures, said, s };
}

describe('retryingWrite (every sink\'s write, guarded by the delivery retry loop)', () => {
  it('retries a retryable write with backoff until it succeeds; counts each failed write; logs the first failure and the recovery', async () => {
    const r = run((call) => (call <= 3 ? retryable('file_ENOSPC') : SUCCESS));
    expect(await r.promise).to.deep.equal(SUCCESS);
    expect(r.calls).to.have.length(4);
    expect(await r.failures('retryable')).to.equal(3);
    expect(r.said('sink failing; retrying with backoff (position held)').map((l) => l.reason)).to.deep.equal(['file_ENOSPC']);
    expect(r.said('sink recovered').map((l) => l.attempts)).to.deep.equal([4]);
  });

  it('a write that succeeds at once is called once and logs nothing', async () => {
    const r = run(() => SUCCESS);
    expect(await r.promise).to.deep.equal(SUCCESS);
    expect(r.calls).to.have.length(1);
    expect(r.said('sink recovered')).to.deep.equal([]);
  });

  it('a partial answer is the write\'s answer (its refusals are dead-lettered by the consumer), not retried', async () => {
    const refused = [{ record: { id: '7' }, reason: 'http_400', attempts: 2 }];
    const r = run(() => ({ status: 'partial', refused }));
    expect(await r.promise).to.deep.equal({ status: 'partial', refused });
    expect(r.calls).to.have.length(1);
  });

  it('permanent: not retried, counted as a permanent failure, answered with the attempts it took', async () => {
    const r = run((call) => (call === 1 ? retryable('file_EACCES') : permanent('bad')));
    expect(await r.promise).to.deep.equal({ status: 'permanent', reason: 'bad', attempts: 2 });
    expect(await r.failures('permanent')).to.equal(1);
    expect(await r.failures('retryable')).to.equal(1);
  });

  it('max_attempts: a write that keeps failing is answered permanent retries_exhausted:<reason>, with the attempts', async () => {
    const r = run(() => retryable('stdout_write_error'), { max_attempts: 4 });
    expect(await r.promise).to.deep.equal({ status: 'permanent', reason: 'retries_exhausted:stdout_write_error', attempts: 4 });
    expect(r.calls).to.have.length(4);
    expect(await r.failures('retryable')).to.equal(4);
  });

  it('a write that throws (a bug) is logged as one, its position held, and attempted again after the backoff — never a hot loop', async () => {
    const r = run((call) => {
      if (call <= 2) throw new TypeError('undefined is not a function');
      return SUCCESS;
    }, { initial_backoff_ms: 100 });
    expect(await r.promise).to.deep.equal(SUCCESS);
    expect(r.calls).to.have.length(3);
    expect(r.calls[1]! - r.calls[0]!).to.be.at.least(90);
    expect(r.calls[2]! - r.calls[1]!).to.be.at.least(90);
    const bugs = r.said('sink threw (a bug): retrying the batch; its position is held');
    expect(bugs).to.have.length(2);
    expect((bugs[0]!.err as { message: string }).message).to.equal('undefined is not a function');
    expect(r.said('sink failing; retrying with backoff (position held)').map((l) => l.reason)).to.deep.equal(['sink_threw']);
    expect(await r.failures('retryable')).to.equal(2);
  });

  it('a write that always throws is dead-lettered after max_attempts as retries_exhausted:sink_threw', async () => {
    const r = run(() => {
      throw new Error('bug');
    }, { max_attempts: 2 });
    expect(await r.promise).to.deep.equal({ status: 'permanent', reason: 'retries_exhausted:sink_threw', attempts: 2 });
  });

  it('a write that throws before it returns a promise is guarded the same way', async () => {
    const s = signals();
    let n = 0;
    const write = retryingWrite<string, Identified>(
      () => {
        if (++n === 1) throw new Error('sync bug');
        return Promise.resolve(SUCCESS);
      },
      { name: 'out', retry: { initial_backoff_ms: 1, max_backoff_ms: 1, max_attempts: 0 }, metrics: freshMetrics(), logger: capturingLogger().logger },
    );
    expect(await write('batch', { stop: s.stop.signal, abort: s.abort.signal })).to.deep.equal(SUCCESS);
    expect(n).to.equal(2);
  });

  it('stopping: an HTTP sink\'s write that gave up (retryable while stopping) is not attempted again; answered retryable', async () => {
    const s = signals();
    const r = run(() => {
      s.stop.abort();
      return retryable('stopping');
    }, { s });
    expect(await r.promise).to.deep.equal({ status: 'retryable', reason: 'stopping' });
    expect(r.calls).to.have.length(1);
  });

  it('stop during the backoff: no new attempt, answered retryable at once', async () => {
    const r = run(() => retryable('file_ENOSPC'), { initial_backoff_ms: 60000 });
    setTimeout(() => r.s.stop.abort(), 20);
    const started = Date.now();
    expect(await r.promise).to.deep.equal({ status: 'retryable', reason: 'stopping' });
    expect(r.calls).to.have.length(1);
    expect(Date.now() - started).to.be.lessThan(5000);
  });
});
