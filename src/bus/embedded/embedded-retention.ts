// Retention of an embedded store, one pass at a time (the bus runs it on a timer):
// - events every recorded consumer has committed are deleted — every consumer in the store, not
//   only this process's: a sink removed from sinks.yaml keeps its events for
//   retention.retired_consumer_hours after it last ran, then its position is released (logged);
// - undelivered events older than max_age_hours, and with on_full: drop_oldest the oldest events
//   over max_size_mb, are deleted (counted, logged);
// - dead letters have bounds of their own (age, size), trimmed oldest first (counted, logged).
// Sizes come from the trigger-kept store_stats (open-embedded-store.ts): no table scans.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { EmbeddedBusConfig } from './embedded-bus-config.ts';
import { ROW_OVERHEAD_BYTES } from './open-embedded-store.ts';

export interface RetentionDeps {
  db: Database.Database;
  config: EmbeddedBusConfig;
  log: Logger;
  metrics: SelfMetrics;
  now: () => number;
  /** Consumers running in this process (name → committed position). */
  active: ReadonlyMap<string, number>;
}

export interface StoreStats {
  events: number;
  eventBytes: number;
  deadLetters: number;
  deadLetterBytes: number;
}

export interface Retention {
  /** One pass; throws what SQLite throws (the caller logs it and tries again next time). */
  run(): void;
  stats(): StoreStats;
  /** Sets the pending and dead-letter gauges from the store; returns its stats. */
  gauges(): StoreStats;
}

const DELETE_CHUNK = 5000;
const HOUR_MS = 3600_000;
const MB = 1024 * 1024;

interface ConsumerRow {
  name: string;
  position: number;
  seen_at: number;
}

export function createRetention(deps: RetentionDeps): Retention {
  const { db, config, log, metrics, now, active } = deps;
  const stmt = {
    stats: db.prepare('SELECT name, rows, bytes FROM store_stats'),
    consumers: db.prepare('SELECT name, position, seen_at FROM consumers'),
    seen: db.prepare('UPDATE consumers SET seen_at = ? WHERE name = ?'),
    release: db.prepare('DELETE FROM consumers WHERE name = ?'),
    countAfter: db.prepare('SELECT count(*) FROM events WHERE seq > ?').pluck(),
    deleteUpTo: db.prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ? ORDER BY seq LIMIT ${DELETE_CHUNK})`),
    countOlder: db.prepare('SELECT count(*) FROM events WHERE seq > ? AND received_at < ?').pluck(),
    deleteOlder: db.prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE received_at < ? ORDER BY seq LIMIT ${DELETE_CHUNK})`),
    oldestEvents: db.prepare(`SELECT seq, length(body) + ${ROW_OVERHEAD_BYTES} AS bytes FROM events ORDER BY seq LIMIT ${DELETE_CHUNK}`),
    deleteEventsUpTo: db.prepare('DELETE FROM events WHERE seq <= ?'),
    deleteOldDead: db.prepare(`DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE dead_at < ? ORDER BY id LIMIT ${DELETE_CHUNK})`),
    oldestDead: db.prepare(`SELECT id AS seq, length(body) + ${ROW_OVERHEAD_BYTES} AS bytes FROM dead_letters ORDER BY id LIMIT ${DELETE_CHUNK}`),
    deleteDeadUpTo: db.prepare('DELETE FROM dead_letters WHERE id <= ?'),
  };
  const toldRetired = new Set<string>();

  const stats = (): StoreStats => {
    const rows = stmt.stats.all() as { name: string; rows: number; bytes: number }[];
    const of = (name: string): { rows: number; bytes: number } => rows.find((r) => r.name === name) ?? { rows: 0, bytes: 0 };
    return { events: of('events').rows, eventBytes: of('events').bytes, deadLetters: of('dead_letters').rows, deadLetterBytes: of('dead_letters').bytes };
  };

  const inChunks = (statement: Database.Statement, arg: number): number => {
    let total = 0;
    for (;;) {
      const { changes } = statement.run(arg);
      total += changes;
      if (changes < DELETE_CHUNK) return total;
    }
  };

  /** Deletes the oldest rows until `excess` bytes are gone (at least one row); returns how many. */
  const trimOldest = (oldest: Database.Statement, deleteUpTo: Database.Statement, excess: number): number => {
    let deleted = 0;
    while (excess > 0) {
      const rows = oldest.all() as { seq: number; bytes: number }[];
      if (rows.length === 0) break;
      let upTo = rows[0]!.seq;
      let n = 0;
      for (const r of rows) {
        upTo = r.seq;
        n++;
        excess -= r.bytes;
        if (excess <= 0) break;
      }
      deleted += deleteUpTo.run(upTo).changes;
      if (n < rows.length || rows.length < DELETE_CHUNK) break;
    }
    return deleted;
  };

  /** The consumers retention must wait for; releases those retired for too long. */
  const heldBy = (t: number): ConsumerRow[] => {
    for (const name of active.keys()) stmt.seen.run(t, name);
    const kept: ConsumerRow[] = [];
    for (const row of stmt.consumers.all() as ConsumerRow[]) {
      if (active.has(row.name)) {
        toldRetired.delete(row.name);
        kept.push(row);
        continue;
      }
      const until = row.seen_at + config.retention.retired_consumer_hours * HOUR_MS;
      const pending = stmt.countAfter.get(row.position) as number;
      if (t >= until) {
        stmt.release.run(row.name);
        metrics.busPending.remove({ consumer: row.name });
        toldRetired.delete(row.name);
        log.warn(
          { consumer: row.name, undelivered_events: pending, retired_consumer_hours: config.retention.retired_consumer_hours },
          'released the store position of a sink that has not run for retired_consumer_hours (no longer in sinks.yaml?): retention no longer keeps the events it did not receive',
        );
        continue;
      }
      if (!toldRetired.has(row.name) && pending > 0) {
        toldRetired.add(row.name);
        log.warn(
          { consumer: row.name, undelivered_events: pending, kept_until: new Date(until).toISOString() },
          'the store keeps events for a sink that is not running (no longer in sinks.yaml?) until kept_until (bus.embedded.retention.retired_consumer_hours), in case it comes back',
        );
      }
      kept.push(row);
    }
    return kept;
  };

  const trimDeadLetters = (t: number): void => {
    const dl = config.dead_letters;
    const old = inChunks(stmt.deleteOldDead, t - dl.max_age_hours * HOUR_MS);
    if (old > 0) {
      metrics.busDeadLettersTrimmed.inc({ reason: 'max_age' }, old);
      log.warn({ dead_letters: old, max_age_hours: dl.max_age_hours }, 'deleted dead letters older than dead_letters.max_age_hours');
    }
    const excess = stats().deadLetterBytes - dl.max_size_mb * MB;
    if (excess > 0) {
      const n = trimOldest(stmt.oldestDead, stmt.deleteDeadUpTo, excess);
      metrics.busDeadLettersTrimmed.inc({ reason: 'max_size' }, n);
      log.warn({ dead_letters: n, max_size_mb: dl.max_size_mb }, 'dead letters over dead_letters.max_size_mb: deleted the oldest');
    }
  };

  const run = (): void => {
    const t = now();
    const consumers = heldBy(t);
    // Active consumers' committed positions are in the table too (committed before they are kept in `active`).
    const minPosition = consumers.length > 0 ? Math.min(...consumers.map((c) => c.position)) : 0;
    if (consumers.length > 0) inChunks(stmt.deleteUpTo, minPosition);
    const cutoff = t - config.retention.max_age_hours * HOUR_MS;
    const expired = stmt.countOlder.get(minPosition, cutoff) as number;
    if (expired > 0) {
      metrics.busDropped.inc({ reason: 'max_age' }, expired);
      log.warn({ events: expired, max_age_hours: config.retention.max_age_hours }, 'retention deleted undelivered events older than max_age_hours');
    }
    inChunks(stmt.deleteOlder, cutoff);
    const excess = stats().eventBytes - config.retention.max_size_mb * MB;
    if (config.retention.on_full === 'drop_oldest' && excess > 0) {
      const n = trimOldest(stmt.oldestEvents, stmt.deleteEventsUpTo, excess);
      metrics.busDropped.inc({ reason: 'max_size' }, n);
      log.warn({ events: n, max_size_mb: config.retention.max_size_mb }, 'events over max_size_mb: deleted the oldest undelivered events');
    }
    trimDeadLetters(t);
  };

  /** Read-only, so the gauges stay current even while writes fail (a full disk). */
  const gauges = (): StoreStats => {
    for (const row of stmt.consumers.all() as ConsumerRow[]) {
      metrics.busPending.set({ consumer: row.name }, stmt.countAfter.get(active.get(row.name) ?? row.position) as number);
    }
    const s = stats();
    metrics.busDeadLetters.set(s.deadLetters);
    metrics.busDeadLetterBytes.set(s.deadLetterBytes);
    return s;
  };

  return { run, stats, gauges };
}
