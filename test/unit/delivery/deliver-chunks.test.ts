import { expect } from 'chai';
import type { BusRecord } from '../../../src/bus/bus.ts';
import { chunkItems } from '../../../src/delivery/chunk-items.ts';
import { deliverChunks, type ChunkVerdict } from '../../../src/delivery/deliver-chunks.ts';
import { retryAfterMs } from '../../../src/retry/retry-after.ts';

const record = (id: number): BusRecord => ({ id: String(id), body: Buffer.from('{}'), meta: { app: 'default', event: 'e', receivedAt: 0 } });
interface Item {
  n: number;
  record: BusRecord;
}
const items = (n: number, perRecord = 1): Item[] => Array.from({ length: n }, (_, i) => ({ n: i, record: record(Math.floor(i / perRecord)) }));
const signals = () => ({ stop: new AbortController(), abort: new AbortController() });
const retry = { initial_backoff_ms: 1, max_backoff_ms: 5, max_attempts: 0 };

function run(chunks: Item[][], script: (items: readonly Item[], call: number) => ChunkVerdict, over: { concurrency?: number; max_attempts?: number; s?: ReturnType<typeof signals> } = {}) {
  const s = over.s ?? signals();
  const calls: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const promise = deliverChunks<Item, Item['record']>({
    chunks,
    recordOf: (i) => i.record,
    concurrency: over.concurrency ?? 1,
    retry: { ...retry, max_attempts: over.max_attempts ?? 0 },
    signals: { stop: s.stop.signal, abort: s.abort.signal },
    random: () => 0.5,
    async attempt(batch) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      calls.push(batch.map((i) => i.n));
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { verdict: script(batch, calls.length), ms: 2 };
    },
  });
  return { promise, calls, maxInFlight: () => maxInFlight, s };
}

describe('deliverChunks', () => {
  it('sends every chunk, at most `concurrency` at once', async () => {
    const r = run(chunkItems(items(10), () => 1, 2, 1000), () => ({ kind: 'success' }), { concurrency: 3 });
    expect(await r.promise).to.deep.equal({ status: 'success' });
    expect(r.calls.flat().sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.maxInFlight()).to.equal(3);
  });

  it('retries a retryable chunk until it goes through (nothing refused)', async () => {
    const r = run([items(3)], (_b, call) => (call < 4 ? { kind: 'retryable', reason: 'http_503' } : { kind: 'success' }));
    expect(await r.promise).to.deep.equal({ status: 'success' });
    expect(r.calls).to.have.length(4);
  });

  it('honours Retry-After over the (shorter) backoff', async () => {
    const started = Date.now();
    const r = run([items(1)], (_b, call) => (call === 1 ? { kind: 'retryable', reason: 'http_429', retryAfterMs: 300 } : { kind: 'success' }));
    await r.promise;
    expect(Date.now() - started).to.be.at.least(290);
  });

  it('too large: halves until a single item, which is refused alone', async () => {
    const r = run([items(4)], (b) => (b.length > 1 || b[0]?.n === 2 ? { kind: 'too_large', reason: 'http_413' } : { kind: 'success' }));
    const result = await r.promise;
    expect(result.status).to.equal('partial');
    expect(result.status === 'partial' && result.refused.map((x) => [x.record.id, x.reason])).to.deep.equal([['2', 'http_413']]);
    expect(r.calls).to.deep.equal([[0, 1, 2, 3], [0, 1], [0], [1], [2, 3], [2], [3]]);
  });

  it('reject_item: that record is refused (all its items), the rest is sent again', async () => {
    const r = run([items(6, 2)], (b, call) => (call === 1 ? { kind: 'reject_item', index: 3, reason: 'http_400_code_6' } : { kind: 'success' }));
    const result = await r.promise;
    expect(result.status === 'partial' && result.refused.map((x) => x.record.id)).to.deep.equal(['1']);
    expect(r.calls).to.deep.equal([[0, 1, 2, 3, 4, 5], [0, 1, 4, 5]]);
  });

  it('permanent: every record of the chunk refused once, with the reason', async () => {
    const r = run([items(4, 2)], () => ({ kind: 'permanent', reason: 'http_400' }));
    const result = await r.promise;
    expect(result.status === 'partial' && result.refused.map((x) => [x.record.id, x.reason])).to.deep.equal([['0', 'http_400'], ['1', 'http_400']]);
  });

  it('max_attempts: a chunk that keeps failing is refused as retries_exhausted', async () => {
    const r = run([items(1)], () => ({ kind: 'retryable', reason: 'timeout' }), { max_attempts: 3 });
    const result = await r.promise;
    expect(result.status === 'partial' && result.refused[0]?.reason).to.equal('retries_exhausted:timeout');
    expect(r.calls).to.have.length(3);
  });

  it('every refusal carries the attempts its chunk took (the dead letter\'s attempts)', async () => {
    const exhausted = await run([items(1)], () => ({ kind: 'retryable', reason: 'timeout' }), { max_attempts: 3 }).promise;
    expect(exhausted.status === 'partial' && exhausted.refused.map((x) => x.attempts)).to.deep.equal([3]);
    const refused = await run([items(2)], (_b, call) => (call < 3 ? { kind: 'retryable', reason: 'http_503' } : { kind: 'permanent', reason: 'http_400' })).promise;
    expect(refused.status === 'partial' && refused.refused.map((x) => [x.record.id, x.attempts])).to.deep.equal([['0', 3], ['1', 3]]);
    // After a rejected item the rest of the chunk is a new pass: its attempts count from 1 again.
    const rejected = await run([items(2)], (_b, call) => (call === 1 ? { kind: 'reject_item', index: 0, reason: 'bad' } : call === 2 ? { kind: 'retryable', reason: 'http_503' } : { kind: 'permanent', reason: 'http_400' })).promise;
    expect(rejected.status === 'partial' && rejected.refused.map((x) => [x.record.id, x.reason, x.attempts])).to.deep.equal([['0', 'bad', 1], ['1', 'http_400', 2]]);
  });

  it('stopping: no new attempt; the batch is left undelivered (retryable) for the next start', async () => {
    const s = signals();
    const r = run([items(1), items(1)], () => ({ kind: 'retryable', reason: 'http_503' }), { s });
    setTimeout(() => s.stop.abort(), 30);
    expect(await r.promise).to.deep.equal({ status: 'retryable', reason: 'stopping' });
  });
});

describe('chunkItems', () => {
  it('cuts by count and by bytes, keeps order, lets an oversize item go alone', () => {
    expect(chunkItems([1, 2, 3, 4, 5], () => 1, 2, 100)).to.deep.equal([[1, 2], [3, 4], [5]]);
    expect(chunkItems([5, 5, 20, 5], (n) => n, 10, 10)).to.deep.equal([[5, 5], [20], [5]]);
    expect(chunkItems([], () => 1, 2, 2)).to.deep.equal([]);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, caps at 10 minutes, ignores garbage', () => {
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    expect(retryAfterMs('7', now)).to.equal(7000);
    expect(retryAfterMs('1.5', now)).to.equal(1500);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).to.equal(30_000);
    expect(retryAfterMs(new Date(now - 30_000).toUTCString(), now)).to.equal(0);
    expect(retryAfterMs('99999', now)).to.equal(600_000);
    expect(retryAfterMs('soon', now)).to.equal(undefined);
    expect(retryAfterMs(undefined, now)).to.equal(undefined);
  });
});

describe('deliverChunks: isolating a bad record', () => {
  it('a 400 that names no item is narrowed down by splitting: only the bad record is refused', async () => {
    const r = run([items(8, 2)], (b) => (b.some((i) => i.record.id === '2') ? { kind: 'permanent', reason: 'http_400', isolate: true } : { kind: 'success' }));
    const result = await r.promise;
    expect(result.status === 'partial' && result.refused.map((x) => [x.record.id, x.reason])).to.deep.equal([['2', 'http_400']]);
    expect(r.calls).to.deep.equal([[0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3], [4, 5, 6, 7], [4, 5], [6, 7]]);
  });
});
