// Group commit for the embedded bus: concurrent publishes are grouped into one transaction (up to
// max_commit_events) so durability does not cap throughput. An event is acknowledged only after
// the transaction that holds it has been fsync'd, so `kill -9` (or a power cut) loses nothing
// acknowledged. A batch is refused instead of written while the disk is almost full, and after a
// storage error until a write works again (store-condition.ts).
import type Database from 'better-sqlite3';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { PublishOutcome, PublishRequest } from '../bus.ts';
import { EVENT_COLUMNS, eventValues, placeholders } from '../record-meta.ts';
import { ROW_OVERHEAD_BYTES } from './open-embedded-store.ts';
import type { StoreCondition } from './store-condition.ts';

export interface GroupCommitDeps {
  db: Database.Database;
  maxCommitEvents: number;
  metrics: SelfMetrics;
  condition: StoreCondition;
  /** The store's free pages in bytes (counted as free disk by the condition). */
  storeFreeBytes: () => number;
  /** Events were committed, `bytes` as the size cap counts them. */
  onWritten: (bytes: number) => void;
  /** After each flush, written or not: consumers waiting for events look again. */
  onFlushed: () => void;
}

export interface GroupCommit {
  /** Queued for the next commit; resolves once it is durable, or refused. */
  write(request: PublishRequest): Promise<PublishOutcome>;
  /** Commits everything queued, now. */
  flush(): void;
}

interface Pending {
  request: PublishRequest;
  resolve: (outcome: PublishOutcome) => void;
}

/** What an event costs toward the size cap. */
export const eventCost = (request: PublishRequest): number => request.body.length + ROW_OVERHEAD_BYTES;

export function createGroupCommit(deps: GroupCommitDeps): GroupCommit {
  const { db, metrics, condition } = deps;
  const insert = db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (${placeholders(EVENT_COLUMNS)})`);
  const insertMany = db.transaction((batch: Pending[]) => {
    const ids: number[] = [];
    for (const { request } of batch) {
      const info = insert.run(...eventValues(request.meta, request.body));
      ids.push(Number(info.lastInsertRowid));
    }
    return ids;
  });
  let pending: Pending[] = [];
  let flushScheduled = false;

  const refuse = (batch: readonly Pending[], reason: 'disk_low' | 'storage_error'): void => {
    metrics.busWriteFailures.inc({ reason }, batch.length);
    for (const p of batch) p.resolve({ ok: false, reason });
  };

  const flush = (): void => {
    flushScheduled = false;
    while (pending.length > 0) {
      const batch = pending.slice(0, deps.maxCommitEvents);
      pending = pending.slice(batch.length);
      condition.checkDisk(deps.storeFreeBytes);
      if (condition.diskLow()) {
        refuse(batch, 'disk_low');
        continue;
      }
      if (condition.waitingForSpace()) {
        refuse(batch, 'storage_error');
        continue;
      }
      let ids: number[];
      try {
        ids = insertMany(batch);
      } catch (err) {
        condition.writeFailed(err, batch.reduce((n, p) => n + eventCost(p.request), 0));
        refuse(batch, 'storage_error');
        continue;
      }
      condition.eventsWritten();
      deps.onWritten(batch.reduce((n, p) => n + eventCost(p.request), 0));
      metrics.busWrites.inc(batch.length);
      metrics.busCommitBatchSize.observe(batch.length);
      batch.forEach((p, i) => p.resolve({ ok: true, id: String(ids[i]) }));
    }
    deps.onFlushed();
  };

  return {
    flush,
    write: (request) =>
      new Promise((resolve) => {
        pending.push({ request, resolve });
        if (pending.length >= deps.maxCommitEvents) flush();
        else if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      }),
  };
}
