// Whether an embedded store can take new events, and keeping it able to: its size cap (with
// on_full: reject, new events are refused at retention.max_size_mb), the gauges of its size and of
// the free disk, health() for /readyz, and the periodic upkeep pass (retention, giving the WAL's
// space back while the disk is low, a probe write that ends a storage error without traffic).
// The disk and write conditions themselves are store-condition.ts.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { BusHealth } from '../bus.ts';
import type { EmbeddedBusConfig } from './embedded-bus-config.ts';
import type { Retention } from './embedded-retention.ts';
import type { StoreCondition } from './store-condition.ts';

export interface StoreHealthDeps {
  db: Database.Database;
  config: EmbeddedBusConfig;
  log: Logger;
  metrics: SelfMetrics;
  now: () => number;
  condition: StoreCondition;
  retention: Retention;
}

export interface StoreHealth {
  /** The store's free pages: space a new event takes before the file (or the disk) has to grow. */
  storeFreeBytes(): number;
  /** Events of `bytes` (as the cap counts them) were written. */
  written(bytes: number): void;
  /** Why a new event is refused now, if it is. */
  refusal(): 'full' | 'disk_low' | undefined;
  /** Sizes from the store: the cap's count and the gauges. */
  measure(): void;
  /** One upkeep pass (the bus runs it every retention.interval_ms); never throws. */
  upkeep(): void;
  health(): BusHealth;
}

const MB = 1024 * 1024;

export function createStoreHealth(deps: StoreHealthDeps): StoreHealth {
  const { db, config, log, metrics, now, condition, retention } = deps;
  const probe = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', ?)");
  const maxBytes = config.retention.max_size_mb * MB;
  let full = false;
  let eventBytes = 0;

  const pragma = (name: string): number => db.pragma(name, { simple: true }) as number;
  const storeFreeBytes = (): number => pragma('freelist_count') * pragma('page_size');
  const setFull = (): void => void (full = config.retention.on_full === 'reject' && eventBytes >= maxBytes);

  const measure = (): void => {
    const stats = retention.gauges();
    eventBytes = stats.eventBytes;
    setFull();
    const pages = pragma('page_count');
    metrics.busStoreBytes.set(pages * pragma('page_size') - storeFreeBytes());
    metrics.busEventBytes.set(eventBytes);
    condition.checkDisk(storeFreeBytes, true);
    const free = condition.freeBytes();
    if (free !== undefined) metrics.busDiskFreeBytes.set(free);
  };

  let retentionFailure: string | undefined;
  const upkeep = (): void => {
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

  return {
    storeFreeBytes,
    measure,
    upkeep,
    written(bytes) {
      eventBytes += bytes;
      setFull();
    },
    refusal: () => (full ? 'full' : condition.diskLow() ? 'disk_low' : undefined),
    health() {
      const problem = condition.problem();
      if (problem !== undefined) return { ready: false, detail: problem };
      if (full) return { ready: false, detail: `store full (${Math.round(eventBytes / MB)} MiB of events, retention.max_size_mb ${config.retention.max_size_mb})` };
      return { ready: true, detail: 'ok' };
    },
  };
}
