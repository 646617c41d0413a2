// `replay --from-dlq` on an embedded store (replay-filter.ts): moves matching rows from dead_letters
// back into events, in one transaction (the store's owner may be running: it picks them up within
// poll_interval_ms). The Kafka ingress's spool is an embedded store too: what Kafka refused goes
// back to be sent again.
import Database from 'better-sqlite3';
import { DEAD_LETTER_COLUMNS, metaColumn } from '../record-meta.ts';
import type { ReplayFilter, ReplayResult } from '../replay-filter.ts';

/**
 * `to`: `consumer` addresses each record to the sink that dead-lettered it (the embedded bus);
 * `all` puts it back for every consumer (the Kafka ingress's spool, whose only consumer is the drain).
 */
export function replayEmbeddedDeadLetters(path: string, filter: ReplayFilter, to: 'consumer' | 'all' = 'consumer'): ReplayResult {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = FULL');
    const where = ['1 = 1'];
    const args: (string | number)[] = [];
    if (filter.sink !== undefined) {
      where.push('consumer = ?');
      args.push(filter.sink);
    }
    if (filter.sinceMs !== undefined) {
      where.push('dead_at >= ?');
      args.push(filter.sinceMs);
    }
    const scanned = db.prepare('SELECT count(*) FROM dead_letters').pluck().get() as number;
    const move = db.transaction(() => {
      const ids = db.prepare(`SELECT id FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY id`).pluck().all(...args) as number[];
      db.prepare(
        `INSERT INTO events (${DEAD_LETTER_COLUMNS}, ${metaColumn('targetSink')})
         SELECT ${DEAD_LETTER_COLUMNS}, ${to === 'consumer' ? 'consumer' : 'NULL'}
         FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY id`,
      ).run(...args);
      db.prepare(`DELETE FROM dead_letters WHERE ${where.join(' AND ')}`).run(...args);
      return ids.length;
    });
    const replayed = move();
    return { scanned, replayed, skipped: { filtered: scanned - replayed, undecodable: 0 } };
  } finally {
    db.close();
  }
}
