// The shared delivery engine of the HTTP sinks. A sink batch is cut into request-sized chunks
// (count and bytes); up to `concurrency` chunks are in flight; each chunk is sent until the
// backend's answer — classified by the sink's pure function — says it is done:
//   success            → delivered (a partial success is counted, never retried)
//   retryable          → the delivery retry loop (retry-with-backoff.ts): exponential backoff with
//                        full jitter, honouring Retry-After; the bus position is held meanwhile
//                        (backpressure: nothing new is fetched); refused as
//                        `retries_exhausted:<reason>` after max_attempts
//   too_large          → split in two and both halves sent (one item too large → refused)
//   reject_item(i)     → item i's record is refused, the rest of the chunk is sent again
//   permanent          → every record of the chunk is refused (dead-lettered with the reason);
//                        with `isolate` (a 400 that does not say which item is bad) a chunk of
//                        several records is split by record and both halves sent, so that only
//                        the bad record ends up refused
// Every refusal carries the attempts its chunk took. When the consumer stops, no new attempt
// starts; what was not delivered is left for the next start (nothing is committed for it). Pure
// apart from time and the attempts it is given.
import { partial, retryable, type DeliveryResult, type Identified, type RefusedRecord } from './delivery-result.ts';
import { retryWithBackoff, type DeliverySignals, type RetryPolicy } from './retry-with-backoff.ts';

export type ChunkVerdict =
  | { kind: 'success'; rejectedItems?: number; warning?: string }
  | { kind: 'retryable'; reason: string; retryAfterMs?: number; response?: string }
  | { kind: 'permanent'; reason: string; isolate?: boolean; response?: string }
  | { kind: 'too_large'; reason: string }
  | { kind: 'reject_item'; index: number; reason: string };

export interface ChunkAttemptReport {
  items: number;
  verdict: ChunkVerdict;
  ms: number;
  attempt: number;
}

export interface DeliverChunksOptions<I, R extends Identified> {
  chunks: I[][];
  /** One attempt for these items: encode, compress, send, classify. Must not throw for backend trouble. */
  attempt(items: readonly I[], signal: AbortSignal): Promise<{ verdict: ChunkVerdict; ms: number }>;
  recordOf(item: I): R;
  concurrency: number;
  retry: RetryPolicy;
  signals: DeliverySignals;
  random?: () => number;
  /** Told about every attempt (metrics, logs). */
  onAttempt?(report: ChunkAttemptReport): void;
}

/** Two halves with no record in both, or undefined when the items are all one record's. */
function splitByRecord<I>(items: I[], recordOf: (item: I) => Identified): [I[], I[]] | undefined {
  const ids = [...new Set(items.map((i) => recordOf(i).id))];
  if (ids.length < 2) return undefined;
  const first = new Set(ids.slice(0, Math.ceil(ids.length / 2)));
  return [items.filter((i) => first.has(recordOf(i).id)), items.filter((i) => !first.has(recordOf(i).id))];
}

export async function deliverChunks<I, R extends Identified>(o: DeliverChunksOptions<I, R>): Promise<DeliveryResult<R>> {
  const random = o.random ?? Math.random;
  const queue: I[][] = [...o.chunks];
  const refused: RefusedRecord<R>[] = [];
  let gaveUp = false;

  const refuse = (items: readonly I[], reason: string, attempts: number): void => {
    const seen = new Set<string>();
    for (const item of items) {
      const record = o.recordOf(item);
      if (!seen.has(record.id)) refused.push({ record, reason, attempts });
      seen.add(record.id);
    }
  };

  const sendChunk = async (first: I[]): Promise<void> => {
    let items = first;
    // One retry loop per pass; a rejected item starts a new pass with the chunk's other items.
    for (;;) {
      const outcome = await retryWithBackoff<Exclude<ChunkVerdict, { kind: 'retryable' }>>({
        retry: o.retry,
        signals: o.signals,
        random,
        async attempt(attempt, signal) {
          const { verdict, ms } = await o.attempt(items, signal);
          o.onAttempt?.({ items: items.length, verdict, ms, attempt });
          return verdict.kind === 'retryable' ? { done: false, reason: verdict.reason, ...(verdict.retryAfterMs === undefined ? {} : { retryAfterMs: verdict.retryAfterMs }) } : { done: true, value: verdict };
        },
      });
      if (outcome.kind === 'stopped') {
        gaveUp = true;
        return;
      }
      if (outcome.kind === 'exhausted') return refuse(items, outcome.reason, outcome.attempts);
      const { value: verdict, attempts } = outcome;
      switch (verdict.kind) {
        case 'permanent': {
          const halves = verdict.isolate === true ? splitByRecord(items, o.recordOf) : undefined;
          if (halves === undefined) return refuse(items, verdict.reason, attempts);
          queue.unshift(...halves);
          return;
        }
        case 'too_large':
          if (items.length === 1) return refuse(items, verdict.reason, attempts);
          queue.unshift(items.slice(0, Math.ceil(items.length / 2)), items.slice(Math.ceil(items.length / 2)));
          return;
        case 'reject_item': {
          // The refused item's record goes to the dead letters whole; its other items are not sent.
          const bad = items[verdict.index];
          if (bad === undefined) return refuse(items, verdict.reason, attempts);
          const record = o.recordOf(bad);
          refuse([bad], verdict.reason, attempts);
          items = items.filter((item) => o.recordOf(item).id !== record.id);
          if (items.length === 0) return;
          continue;
        }
        case 'success':
          return;
      }
    }
  };

  const worker = async (): Promise<void> => {
    for (let chunk = queue.shift(); chunk !== undefined && !gaveUp; chunk = queue.shift()) await sendChunk(chunk);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, queue.length)) }, worker));
  if (gaveUp || queue.length > 0) return retryable('stopping');
  return partial(refused);
}
