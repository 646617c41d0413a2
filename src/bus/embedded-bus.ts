// The embedded durable bus: one SQLite file (better-sqlite3, WAL, synchronous=FULL). An event is
// acknowledged only after the transaction that holds it has been fsync'd, so `kill -9` (or a
// power cut) loses nothing acknowledged. Concurrent publishes are grouped into one transaction
// (group commit) so durability does not cap throughput. Each consumer (one per sink) has its own
// committed position; retention deletes what every active consumer has committed.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { SelfMetrics } from '../observability/self-metrics.ts';
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
} from './bus.ts';
import type { EmbeddedBusConfig } from './embedded-bus-config.ts';
import { backoffMs, sleep } from '../delivery/backoff.ts';

export interface EmbeddedBusDeps {
  config: EmbeddedBusConfig;
  logger: Logger;
  metrics: SelfMetrics;
  now?: () => number;
}

interface Pending {
  request: PublishRequest;
  resolve: (outcome: PublishOutcome) => void;
}

interface EventRow {
  seq: number;
  received_at: number;
  app: string;
  event: string;
  account_id: string | null;
  instance_key: string | null;
  request_id: string | null;
  tracking_id: string | null;
  body: Buffer;
  target_sink: string | null;
}

/** The embedded bus, plus what the Kafka spool needs to know about it. */
export interface EmbeddedBus extends Bus {
  /** Events not yet committed by `consumer`, and the receive time of the oldest (ms) or undefined. */
  backlog(consumer: string): { events: number; oldestReceivedAt: number | undefined };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  app TEXT NOT NULL,
  event TEXT NOT NULL,
  account_id TEXT,
  instance_key TEXT,
  request_id TEXT,
  tracking_id TEXT,
  body BLOB NOT NULL,
  target_sink TEXT
);
CREATE TABLE IF NOT EXISTS consumers (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  consumer TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  dead_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  app TEXT NOT NULL,
  event TEXT NOT NULL,
  account_id TEXT,
  instance_key TEXT,
  request_id TEXT,
  tracking_id TEXT,
  body BLOB NOT NULL
);
`;

const DELETE_CHUNK = 5000;

function rowToRecord(row: EventRow): BusRecord {
  return {
    id: String(row.seq),
    body: row.body,
    meta: {
      app: row.app,
      event: row.event,
      accountId: row.account_id ?? undefined,
      instanceKey: row.instance_key ?? undefined,
      receivedAt: row.received_at,
      requestId: row.request_id ?? undefined,
      trackingId: row.tracking_id ?? undefined,
      targetSink: row.target_sink ?? undefined,
    },
  };
}

export function createEmbeddedBus(deps: EmbeddedBusDeps): EmbeddedBus {
  const { config, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const log = logger.child({ component: 'embedded-bus' });
  mkdirSync(dirname(config.path), { recursive: true });
  const db = new Database(config.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const columns = db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all() as string[];
  if (!columns.includes('target_sink')) db.exec('ALTER TABLE events ADD COLUMN target_sink TEXT'); // stores made before replay existed

  const insert = db.prepare(
    `INSERT INTO events (received_at, app, event, account_id, instance_key, request_id, tracking_id, body, target_sink)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertMany = db.transaction((batch: Pending[]) => {
    const ids: number[] = [];
    for (const { request } of batch) {
      const m = request.meta;
      const info = insert.run(m.receivedAt, m.app, m.event, m.accountId ?? null, m.instanceKey ?? null, m.requestId ?? null, m.trackingId ?? null, request.body, m.targetSink ?? null);
      ids.push(Number(info.lastInsertRowid));
    }
    return ids;
  });
  const selectAfter = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
  const registerConsumer = db.prepare('INSERT OR IGNORE INTO consumers (name, position, updated_at) VALUES (?, 0, ?)');
  const selectPosition = db.prepare('SELECT position FROM consumers WHERE name = ?').pluck();
  const commitPosition = db.prepare('UPDATE consumers SET position = ?, updated_at = ? WHERE name = ?');
  const insertDead = db.prepare(
    `INSERT INTO dead_letters (consumer, reason, attempts, dead_at, seq, received_at, app, event, account_id, instance_key, request_id, tracking_id, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const countAfter = db.prepare('SELECT count(*) FROM events WHERE seq > ?').pluck();
  const oldestAfter = db.prepare('SELECT min(received_at) FROM events WHERE seq > ?').pluck();
  const deleteUpTo = db.prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ? ORDER BY seq LIMIT ${DELETE_CHUNK})`);
  const countOlderUncommitted = db.prepare('SELECT count(*) FROM events WHERE seq > ? AND received_at < ?').pluck();
  const deleteOlder = db.prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE received_at < ? ORDER BY seq LIMIT ${DELETE_CHUNK})`);
  const deleteOldest = db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?)');

  const active = new Map<string, number>(); // consumer name → committed position (this process)
  const waiters = new Set<() => void>();
  let pending: Pending[] = [];
  let flushScheduled = false;
  let closed = false;
  let full = false;
  let storeBytes = 0;
  const maxBytes = config.retention.max_size_mb * 1024 * 1024;

  const measureStore = (): void => {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    storeBytes = (pages - free) * pageSize;
    metrics.busStoreBytes.set(storeBytes);
    full = config.retention.on_full === 'reject' && storeBytes >= maxBytes;
  };

  const wakeConsumers = (): void => {
    for (const wake of waiters) wake();
    waiters.clear();
  };

  const flush = (): void => {
    flushScheduled = false;
    while (pending.length > 0) {
      const batch = pending.slice(0, config.max_commit_events);
      pending = pending.slice(batch.length);
      let ids: number[];
      try {
        ids = insertMany(batch);
      } catch (err) {
        log.error({ err, events: batch.length }, 'bus write failed');
        metrics.busWriteFailures.inc({ reason: 'storage_error' }, batch.length);
        for (const p of batch) p.resolve({ ok: false, reason: 'storage_error' });
        continue;
      }
      metrics.busWrites.inc(batch.length);
      metrics.busCommitBatchSize.observe(batch.length);
      batch.forEach((p, i) => p.resolve({ ok: true, id: String(ids[i]) }));
    }
    wakeConsumers();
  };

  const publish = (request: PublishRequest): Promise<PublishOutcome> => {
    if (closed) {
      metrics.busWriteFailures.inc({ reason: 'closed' });
      return Promise.resolve({ ok: false, reason: 'closed' });
    }
    if (full) {
      metrics.busWriteFailures.inc({ reason: 'full' });
      return Promise.resolve({ ok: false, reason: 'full' });
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
    registerConsumer.run(name, now());
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
          const fillFor = rows.length < options.maxBatchEvents ? (rows[0]?.received_at ?? 0) + (options.maxWaitMs ?? 0) - now() : 0;
          if (fillFor > 0) {
            // Batching by age: let the batch fill until its oldest event is maxWaitMs old.
            await sleep(fillFor, stopping.signal);
            rows = selectAfter.all(position, options.maxBatchEvents) as EventRow[];
          }
          const doneCount = Math.min(await handler(rows.map(rowToRecord), { stop: stopping.signal, abort: aborting.signal }), rows.length);
          if (doneCount > 0) {
            position = rows[doneCount - 1]!.seq;
            commitPosition.run(position, now(), name);
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
    const m = record.meta;
    insertDead.run(info.consumer, info.reason, info.attempts, now(), Number(record.id), m.receivedAt, m.app, m.event, m.accountId ?? null, m.instanceKey ?? null, m.requestId ?? null, m.trackingId ?? null, record.body);
  };

  const deleteInChunks = (stmt: Database.Statement, arg: number): number => {
    let total = 0;
    for (;;) {
      const { changes } = stmt.run(arg);
      total += changes;
      if (changes < DELETE_CHUNK) return total;
    }
  };

  const runRetention = (): void => {
    if (active.size > 0) {
      const minPosition = Math.min(...active.values());
      deleteInChunks(deleteUpTo, minPosition);
      const cutoff = now() - config.retention.max_age_hours * 3600_000;
      const expired = countOlderUncommitted.get(minPosition, cutoff) as number;
      if (expired > 0) {
        metrics.busDropped.inc({ reason: 'max_age' }, expired);
        log.warn({ events: expired, max_age_hours: config.retention.max_age_hours }, 'retention deleted undelivered events older than max_age_hours');
      }
      deleteInChunks(deleteOlder, cutoff);
      for (const [name, pos] of active) metrics.busPending.set({ consumer: name }, countAfter.get(pos) as number);
    }
    measureStore();
    if (config.retention.on_full === 'drop_oldest' && storeBytes > maxBytes) {
      const total = countAfter.get(0) as number;
      const drop = Math.max(1, Math.ceil(total * (1 - maxBytes / storeBytes)));
      const { changes } = deleteOldest.run(drop);
      metrics.busDropped.inc({ reason: 'max_size' }, changes);
      log.warn({ events: changes, max_size_mb: config.retention.max_size_mb }, 'store over max_size_mb: deleted the oldest undelivered events');
      measureStore();
    }
  };

  const retentionTimer = setInterval(() => {
    try {
      runRetention();
    } catch (err) {
      log.error({ err }, 'retention failed');
    }
  }, config.retention.interval_ms);
  retentionTimer.unref();
  measureStore();
  log.info({ path: config.path, pending_events: countAfter.get(0) }, 'embedded bus opened');

  return {
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
      if (full) return { ready: false, detail: `store full (${Math.round(storeBytes / 1048576)} MiB of max_size_mb ${config.retention.max_size_mb})` };
      return { ready: true, detail: 'ok' };
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      clearInterval(retentionTimer);
      wakeConsumers();
      db.close();
      log.info('embedded bus closed');
    },
  };
}
