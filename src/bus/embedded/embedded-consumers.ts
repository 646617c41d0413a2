// The consumers of an embedded store: each (one per sink) has its own committed position in the
// consumers table, and reads the events after it in order, in batches (by count, and by age with
// maxWaitMs), committing exactly what its handler says is done. A consumer with nothing to read
// waits until the next commit wakes it, or poll_interval_ms (another process may have written:
// `replay`). It never stops for good on an error: the batch is read again after a backoff.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { backoffMs, sleep } from '../../retry/backoff.ts';
import type { BatchHandler, BusRecord, ConsumeOptions, ConsumerHandle } from '../bus.ts';
import { rowToMeta } from '../record-meta.ts';

export interface EmbeddedConsumersDeps {
  db: Database.Database;
  pollIntervalMs: number;
  log: Logger;
  now: () => number;
}

export interface Backlog {
  events: number;
  /** Receive time of the oldest (ms), or undefined when there is none. */
  oldestReceivedAt: number | undefined;
}

export interface EmbeddedConsumers {
  consume(name: string, handler: BatchHandler, options: ConsumeOptions): ConsumerHandle;
  /** Events not yet committed by `consumer` (read-only: one that has not consumed yet is at the start). */
  backlog(consumer: string): Backlog;
  /** Events after a position. */
  eventsAfter(position: number): number;
  /** New events were written: waiting consumers read again now. */
  wake(): void;
  /** Consumers running in this process (name → committed position): retention waits for them. */
  readonly active: ReadonlyMap<string, number>;
}

/** A row of events: its sequence number, the record's columns (record-meta.ts) and body. */
interface EventRow {
  seq: number;
  body: Buffer;
  [column: string]: unknown;
}

function rowToRecord(row: EventRow): BusRecord {
  return { id: String(row.seq), body: row.body, meta: rowToMeta(row) };
}

export function createEmbeddedConsumers(deps: EmbeddedConsumersDeps): EmbeddedConsumers {
  const { db, log, now } = deps;
  const selectAfter = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
  const registerConsumer = db.prepare('INSERT OR IGNORE INTO consumers (name, position, updated_at, seen_at) VALUES (?, 0, ?, ?)');
  const selectPosition = db.prepare('SELECT position FROM consumers WHERE name = ?').pluck();
  const commitPosition = db.prepare('UPDATE consumers SET position = ?, updated_at = ?, seen_at = ? WHERE name = ?');
  const countAfter = db.prepare('SELECT count(*) FROM events WHERE seq > ?').pluck();
  const oldestAfter = db.prepare('SELECT min(received_at) FROM events WHERE seq > ?').pluck();
  const active = new Map<string, number>(); // consumer name → committed position (this process)
  const waiters = new Set<() => void>();

  const wake = (): void => {
    for (const w of waiters) w();
    waiters.clear();
  };

  const waitForEvents = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, deps.pollIntervalMs);
      waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });

  const consume = (name: string, handler: BatchHandler, options: ConsumeOptions): ConsumerHandle => {
    registerConsumer.run(name, now(), now());
    let position = selectPosition.get(name) as number;
    active.set(name, position);
    const stopping = new AbortController(); // no new fetches
    const aborting = new AbortController(); // the in-flight batch must give up
    const loop = async (): Promise<void> => {
      let failures = 0;
      while (!stopping.signal.aborted) {
        try {
          let rows = selectAfter.all(position, options.maxBatchEvents) as EventRow[];
          if (rows.length === 0) {
            await waitForEvents(stopping.signal);
            continue;
          }
          const fillFor = rows.length < options.maxBatchEvents ? rowToMeta(rows[0]!).receivedAt + (options.maxWaitMs ?? 0) - now() : 0;
          if (fillFor > 0) {
            // Batching by age: let the batch fill until its oldest event is maxWaitMs old.
            await sleep(fillFor, stopping.signal);
            rows = selectAfter.all(position, options.maxBatchEvents) as EventRow[];
          }
          const doneCount = Math.min(await handler(rows.map(rowToRecord), { stop: stopping.signal, abort: aborting.signal }), rows.length);
          if (doneCount > 0) {
            const next = rows[doneCount - 1]!.seq;
            commitPosition.run(next, now(), now(), name);
            position = next;
            active.set(name, position);
          } else await sleep(deps.pollIntervalMs, stopping.signal); // no progress: do not spin
          failures = 0;
        } catch (err) {
          // A full disk, a locked file, a bug: never stop consuming for good. Nothing was committed
          // past what is done; the batch is read again.
          log.error({ err, consumer: name }, 'consumer error; retrying');
          await sleep(backoffMs(++failures, { initial_backoff_ms: 200, max_backoff_ms: 30000 }, Math.random()), stopping.signal);
        }
      }
    };
    const done = loop();
    return {
      done,
      stop: async (graceMs) => {
        stopping.abort();
        const timer = setTimeout(() => aborting.abort(), graceMs);
        await done;
        clearTimeout(timer);
        active.delete(name);
      },
    };
  };

  return {
    consume,
    active,
    wake,
    eventsAfter: (position) => countAfter.get(position) as number,
    backlog(consumer) {
      const position = active.get(consumer) ?? ((selectPosition.get(consumer) as number | undefined) ?? 0);
      return { events: countAfter.get(position) as number, oldestReceivedAt: (oldestAfter.get(position) as number | null) ?? undefined };
    },
  };
}
