// The embedded durable bus: one SQLite file (better-sqlite3, WAL, synchronous=FULL) owned by one
// process. An event is acknowledged only after the transaction that holds it has been fsync'd, so
// `kill -9` (or a power cut) loses nothing acknowledged. Concurrent publishes are grouped into one
// transaction (group commit) so durability does not cap throughput. Each consumer (one per sink)
// has its own committed position; retention (embedded-retention.ts) deletes what every recorded
// consumer has committed. New events are refused (503, not ready) at the size cap, while the disk
// is almost full, and after a storage error until a write works again (store-condition.ts).
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type {
  BatchHandler,
  Bus,
  BusHealth,
  BusRecord,
  ConsumeOptions,
  ConsumerHandle,
  DeadLetterInfo,
  PublishOutcome,
  PublishRequest,
} from '../bus.ts';
import type { EmbeddedBusConfig } from './embedded-bus-config.ts';
import { createRetention } from './embedded-retention.ts';
import { openEmbeddedStore, ROW_OVERHEAD_BYTES, type StoreProblem } from './open-embedded-store.ts';
import { DEAD_LETTER_COLUMNS, deadLetterValues, EVENT_COLUMNS, eventValues, placeholders, rowToMeta } from '../record-meta.ts';
import { createStoreCondition } from './store-condition.ts';
import { backoffMs, sleep } from '../../retry/backoff.ts';

export interface EmbeddedBusDeps {
  config: EmbeddedBusConfig;
  logger: Logger;
  metrics: SelfMetrics;
  /** The config key of `config.path`, named in messages. */
  setting?: string;
  /** Who owns the store (`serve`, `ingress`): told to a process that is refused. */
  owner?: string;
  now?: () => number;
  /** Free bytes of the filesystem holding a folder (a seam for tests; default statfs). */
  freeDiskBytes?: (dir: string) => number;
}

interface Pending {
  request: PublishRequest;
  resolve: (outcome: PublishOutcome) => void;
}

/** A row of events: its sequence number, the record's columns (record-meta.ts) and body. */
interface EventRow {
  seq: number;
  body: Buffer;
  [column: string]: unknown;
}

/** The embedded bus, plus what the Kafka spool needs to know about it. */
export interface EmbeddedBus extends Bus {
  /** Events not yet committed by `consumer`, and the receive time of the oldest (ms) or undefined. */
  backlog(consumer: string): { events: number; oldestReceivedAt: number | undefined };
  readonly path: string;
}

export type OpenEmbeddedBusOutcome = { ok: true; bus: EmbeddedBus } | { ok: false; problem: StoreProblem };

const MB = 1024 * 1024;
/** The WAL is cut back to this after a checkpoint (SQLite's journal_size_limit). */
export const WAL_LIMIT_BYTES = 64 * MB;

/** WAL pages between automatic checkpoints: a quarter of the headroom, 16 to 1000 (SQLite's default). */
export function walAutocheckpointPages(minFreeBytes: number, pageSize: number): number {
  return Math.min(1000, Math.max(16, Math.floor(minFreeBytes / 4 / pageSize)));
}

function rowToRecord(row: EventRow): BusRecord {
  return { id: String(row.seq), body: row.body, meta: rowToMeta(row) };
}

export function openEmbeddedBus(deps: EmbeddedBusDeps): OpenEmbeddedBusOutcome {
  const { config, metrics } = deps;
  const setting = deps.setting ?? 'bus.embedded.path';
  const opened = openEmbeddedStore({ path: config.path, setting, owner: deps.owner ?? 'qss-forwarder', walLimitBytes: WAL_LIMIT_BYTES });
  if (!opened.ok) return opened;
  const { db, lock } = opened;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'embedded-bus', path: config.path });

  const insert = db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (${placeholders(EVENT_COLUMNS)})`);
  const insertMany = db.transaction((batch: Pending[]) => {
    const ids: number[] = [];
    for (const { request } of batch) {
      const info = insert.run(...eventValues(request.meta, request.body));
      ids.push(Number(info.lastInsertRowid));
    }
    return ids;
  });
  const selectAfter = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
  const registerConsumer = db.prepare('INSERT OR IGNORE INTO consumers (name, position, updated_at, seen_at) VALUES (?, 0, ?, ?)');
  const selectPosition = db.prepare('SELECT position FROM consumers WHERE name = ?').pluck();
  const commitPosition = db.prepare('UPDATE consumers SET position = ?, updated_at = ?, seen_at = ? WHERE name = ?');
  const insertDead = db.prepare(
    `INSERT INTO dead_letters (consumer, reason, attempts, dead_at, seq, ${DEAD_LETTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ${placeholders(DEAD_LETTER_COLUMNS)})`,
  );
  const countAfter = db.prepare('SELECT count(*) FROM events WHERE seq > ?').pluck();
  const oldestAfter = db.prepare('SELECT min(received_at) FROM events WHERE seq > ?').pluck();
  const probe = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', ?)");

  const active = new Map<string, number>(); // consumer name → committed position (this process)
  const waiters = new Set<() => void>();
  const retention = createRetention({ db, config, log, metrics, now, active });
  // A checkpoint copies the WAL into the file, which may grow by as much: checkpoint before the WAL
  // holds a quarter of the disk headroom (SQLite's default, 1000 pages, where the headroom allows).
  if (config.min_free_disk_mb > 0) db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages(config.min_free_disk_mb * MB, db.pragma('page_size', { simple: true }) as number)}`);
  const condition = createStoreCondition({ dir: dirname(config.path), setting, minFreeBytes: config.min_free_disk_mb * MB, log, now, freeDiskBytes: deps.freeDiskBytes });
  let pending: Pending[] = [];
  let flushScheduled = false;
  let closed = false;
  let full = false;
  let eventBytes = 0;
  const maxBytes = config.retention.max_size_mb * MB;

  const pragma = (name: string): number => db.pragma(name, { simple: true }) as number;
  /** The store's free pages: space a new event takes before the file (or the disk) has to grow. */
  const storeFreeBytes = (): number => pragma('freelist_count') * pragma('page_size');

  const measure = (): void => {
    const stats = retention.gauges();
    eventBytes = stats.eventBytes;
    full = config.retention.on_full === 'reject' && eventBytes >= maxBytes;
    const pages = pragma('page_count');
    metrics.busStoreBytes.set(pages * pragma('page_size') - storeFreeBytes());
    metrics.busEventBytes.set(eventBytes);
    condition.checkDisk(storeFreeBytes, true);
    const free = condition.freeBytes();
    if (free !== undefined) metrics.busDiskFreeBytes.set(free);
  };

  const wakeConsumers = (): void => {
    for (const wake of waiters) wake();
    waiters.clear();
  };

  const refuse = (batch: readonly Pending[], reason: 'disk_low' | 'storage_error'): void => {
    metrics.busWriteFailures.inc({ reason }, batch.length);
    for (const p of batch) p.resolve({ ok: false, reason });
  };

  const flush = (): void => {
    flushScheduled = false;
    while (pending.length > 0) {
      const batch = pending.slice(0, config.max_commit_events);
      pending = pending.slice(batch.length);
      condition.checkDisk(storeFreeBytes);
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
        condition.writeFailed(err, batch.reduce((n, p) => n + p.request.body.length + ROW_OVERHEAD_BYTES, 0));
        refuse(batch, 'storage_error');
        continue;
      }
      condition.eventsWritten();
      for (const p of batch) eventBytes += p.request.body.length + ROW_OVERHEAD_BYTES;
      full = config.retention.on_full === 'reject' && eventBytes >= maxBytes;
      metrics.busWrites.inc(batch.length);
      metrics.busCommitBatchSize.observe(batch.length);
      batch.forEach((p, i) => p.resolve({ ok: true, id: String(ids[i]) }));
    }
    wakeConsumers();
  };

  const publish = (request: PublishRequest): Promise<PublishOutcome> => {
    const refused = closed ? 'closed' : full ? 'full' : condition.diskLow() ? 'disk_low' : undefined;
    if (refused !== undefined) {
      metrics.busWriteFailures.inc({ reason: refused });
      return Promise.resolve({ ok: false, reason: refused });
    }
    return new Promise((resolve) => {
      pending.push({ request, resolve });
      if (pending.length >= config.max_commit_events) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
  };

  const waitForEvents = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, config.poll_interval_ms);
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
          } else await sleep(config.poll_interval_ms, stopping.signal); // no progress: do not spin
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

  const deadLetter = async (record: BusRecord, info: DeadLetterInfo): Promise<void> => {
    insertDead.run(info.consumer, info.reason, info.attempts, now(), Number(record.id), ...deadLetterValues(record.meta, record.body));
  };

  let retentionFailure: string | undefined;
  const runRetention = (): void => {
    try {
      retention.run();
      retentionFailure = undefined;
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      if (retentionFailure !== code) log.error({ err, code }, 'retention failed; trying again every retention.interval_ms');
      retentionFailure = code;
      condition.writeFailed(err, 0);
    }
    if (condition.diskLow() || condition.writeFailing()) {
      // Give the WAL's space back to the disk. A checkpoint that fails (no room to copy pages into the
      // file) changes nothing: the WAL stays whole; it is tried again next pass.
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // the disk is still full; health says so
      }
    }
    try {
      // A failed write stays failed until one works: try one, so recovery needs no traffic.
      condition.checkDisk(storeFreeBytes, true);
      if (condition.writeFailing()) {
        probe.run(String(now()));
        condition.probeWritten();
      }
    } catch {
      // still failing; health keeps saying so
    }
    try {
      measure();
    } catch (err) {
      log.error({ err }, 'cannot measure the store');
    }
  };

  const retentionTimer = setInterval(runRetention, config.retention.interval_ms);
  retentionTimer.unref();
  measure();
  log.info({ pending_events: countAfter.get(0), dead_letters: retention.stats().deadLetters }, 'embedded bus opened');

  const bus: EmbeddedBus = {
    path: config.path,
    publish,
    consume,
    deadLetter,
    backlog(consumer) {
      // Read-only: a consumer that has not consumed yet is at the start.
      const position = active.get(consumer) ?? ((selectPosition.get(consumer) as number | undefined) ?? 0);
      return { events: countAfter.get(position) as number, oldestReceivedAt: (oldestAfter.get(position) as number | null) ?? undefined };
    },
    health(): BusHealth {
      if (closed) return { ready: false, detail: 'closed' };
      const problem = condition.problem();
      if (problem !== undefined) return { ready: false, detail: problem };
      if (full) return { ready: false, detail: `store full (${Math.round(eventBytes / MB)} MiB of events, retention.max_size_mb ${config.retention.max_size_mb})` };
      return { ready: true, detail: 'ok' };
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      clearInterval(retentionTimer);
      wakeConsumers();
      db.close();
      lock.release();
      log.info('embedded bus closed');
    },
  };
  return { ok: true, bus };
}
