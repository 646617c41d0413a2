// The embedded durable bus: one SQLite file (better-sqlite3, WAL, synchronous=FULL) owned by one
// process. An event is acknowledged only after the transaction that holds it has been fsync'd, so
// `kill -9` (or a power cut) loses nothing acknowledged. Concurrent publishes are grouped into one
// transaction (group-commit.ts) so durability does not cap throughput. Each consumer (one per sink)
// has its own committed position (embedded-consumers.ts); retention (embedded-retention.ts) deletes
// what every recorded consumer has committed. New events are refused (503, not ready) at the size
// cap, while the disk is almost full, and after a storage error until a write works again
// (store-health.ts, store-condition.ts). This file puts the parts together.
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { Bus, BusHealth, PublishOutcome, PublishRequest } from '../bus.ts';
import type { EmbeddedBusConfig } from './embedded-bus-config.ts';
import { createDeadLetterWriter } from './dead-letter-writer.ts';
import { createEmbeddedConsumers, type Backlog } from './embedded-consumers.ts';
import { createRetention } from './embedded-retention.ts';
import { createGroupCommit } from './group-commit.ts';
import { openEmbeddedStore, type StoreProblem } from './open-embedded-store.ts';
import { createStoreCondition } from './store-condition.ts';
import { createStoreHealth } from './store-health.ts';

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

/** The embedded bus, plus what the Kafka spool needs to know about it. */
export interface EmbeddedBus extends Bus {
  /** Events not yet committed by `consumer`, and the receive time of the oldest (ms) or undefined. */
  backlog(consumer: string): Backlog;
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

export function openEmbeddedBus(deps: EmbeddedBusDeps): OpenEmbeddedBusOutcome {
  const { config, metrics } = deps;
  const setting = deps.setting ?? 'bus.embedded.path';
  const opened = openEmbeddedStore({ path: config.path, setting, owner: deps.owner ?? 'qss-forwarder', walLimitBytes: WAL_LIMIT_BYTES });
  if (!opened.ok) return opened;
  const { db, lock } = opened;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'embedded-bus', path: config.path });

  const consumers = createEmbeddedConsumers({ db, pollIntervalMs: config.poll_interval_ms, log, now });
  const retention = createRetention({ db, config, log, metrics, now, active: consumers.active });
  // A checkpoint copies the WAL into the file, which may grow by as much: checkpoint before the WAL
  // holds a quarter of the disk headroom (SQLite's default, 1000 pages, where the headroom allows).
  if (config.min_free_disk_mb > 0) db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages(config.min_free_disk_mb * MB, db.pragma('page_size', { simple: true }) as number)}`);
  const condition = createStoreCondition({ dir: dirname(config.path), setting, minFreeBytes: config.min_free_disk_mb * MB, log, now, freeDiskBytes: deps.freeDiskBytes });
  const store = createStoreHealth({ db, config, log, metrics, now, condition, retention });
  const writer = createGroupCommit({
    db,
    maxCommitEvents: config.max_commit_events,
    metrics,
    condition,
    storeFreeBytes: store.storeFreeBytes,
    onWritten: store.written,
    onFlushed: consumers.wake,
  });
  let closed = false;

  const publish = (request: PublishRequest): Promise<PublishOutcome> => {
    const refused = closed ? 'closed' : store.refusal();
    if (refused !== undefined) {
      metrics.busWriteFailures.inc({ reason: refused });
      return Promise.resolve({ ok: false, reason: refused });
    }
    return writer.write(request);
  };

  const retentionTimer = setInterval(store.upkeep, config.retention.interval_ms);
  retentionTimer.unref();
  store.measure();
  log.info({ pending_events: consumers.eventsAfter(0), dead_letters: retention.stats().deadLetters }, 'embedded bus opened');

  const bus: EmbeddedBus = {
    path: config.path,
    publish,
    consume: consumers.consume,
    deadLetter: createDeadLetterWriter(db, now),
    backlog: consumers.backlog,
    health(): BusHealth {
      if (closed) return { ready: false, detail: 'closed' };
      return store.health();
    },
    async close() {
      if (closed) return;
      writer.flush();
      closed = true;
      clearInterval(retentionTimer);
      consumers.wake();
      db.close();
      lock.release();
      log.info('embedded bus closed');
    },
  };
  return { ok: true, bus };
}
