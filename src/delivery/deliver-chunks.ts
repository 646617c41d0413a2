// The shared delivery engine of the HTTP sinks. A sink batch is cut into request-sized chunks
// (count and bytes); up to `concurrency` chunks are in flight; each chunk is sent until the
// backend's answer — classified by the sink's pure function — says it is done:
//   success            → delivered (a partial success is counted, never retried)
//   retryable          → exponential backoff with full jitter, honouring Retry-After; the bus
//                        position is held meanwhile (backpressure: nothing new is fetched)
//   too_large          → split in two and both halves sent (one item too large → refused)
//   reject_item(i)     → item i's record is refused, the rest of the chunk is sent again
//   permanent          → every record of the chunk is refused (dead-lettered with the reason);
//                        with `isolate` (a 400 that does not say which item is bad) a chunk of
//                        several records is split by record and both halves sent, so that only
//                        the bad record ends up refused
// When the consumer stops, no new attempt starts; what was not delivered is left for the next
// start (nothing is committed for it). Pure apart from time and the attempts it is given.
import { backoffMs, sleep, type BackoffPolicy } from '../retry/backoff.ts';
import { partial, retryable, type DeliveryResult, type Identified, type RefusedRecord } from './delivery-result.ts';

/** When to stop (the bus's BatchSignals are these): start no new attempt once `stop` aborts; cancel what is in flight once `abort` does. */
export interface DeliverySignals {
  stop: AbortSignal;
  abort: AbortSignal;
}

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
  retry: BackoffPolicy & { max_attempts: number };
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

  const refuse = (items: readonly I[], reason: string): void => {
    const seen = new Set<string>();
    for (const item of items) {
      const record = o.recordOf(item);
      if (!seen.has(record.id)) refused.push({ record, reason });
      seen.add(record.id);
    }
  };

  const sendChunk = async (first: I[]): Promise<void> => {
    let items = first;
    for (let attempt = 1; ; attempt++) {
      const { verdict, ms } = await o.attempt(items, o.signals.abort);
      o.onAttempt?.({ items: items.length, verdict, ms, attempt });
      switch (verdict.kind) {
        case 'success':
          return;
        case 'permanent': {
          const halves = verdict.isolate === true ? splitByRecord(items, o.recordOf) : undefined;
          if (halves === undefined) return refuse(items, verdict.reason);
          queue.unshift(...halves);
          return;
        }
        case 'too_large':
          if (items.length === 1) return refuse(items, verdict.reason);
          queue.unshift(items.slice(0, Math.ceil(items.length / 2)), items.slice(Math.ceil(items.length / 2)));
          return;
        case 'reject_item': {
          // The refused item's record goes to the dead letters whole; its other items are not sent.
          const bad = items[verdict.index];
          if (bad === undefined) return refuse(items, verdict.reason);
          const record = o.recordOf(bad);
          refuse([bad], verdict.reason);
          items = items.filter((item) => o.recordOf(item).id !== record.id);
          if (items.length === 0) return;
          attempt = 0;
          continue;
        }
        case 'retryable':
          if (o.retry.max_attempts > 0 && attempt >= o.retry.max_attempts) return refuse(items, `retries_exhausted:${verdict.reason}`);
          if (o.signals.stop.aborted) {
            gaveUp = true;
            return;
          }
          await sleep(backoffMs(attempt, o.retry, random(), verdict.retryAfterMs), o.signals.stop);
          if (o.signals.stop.aborted) {
            gaveUp = true;
            return;
          }
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
