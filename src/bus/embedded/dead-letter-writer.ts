// Dead letters of an embedded store: a record a sink gave up on is kept in dead_letters with the
// consumer, the reason, the attempts, when, and its position (seq), apart from the events: they
// never count toward retention.max_size_mb, have bounds of their own (embedded-retention.ts), and
// `replay --from-dlq` puts them back (replay-embedded-dead-letters.ts).
import type Database from 'better-sqlite3';
import type { BusRecord, DeadLetterInfo } from '../bus.ts';
import { DEAD_LETTER_COLUMNS, deadLetterValues, placeholders } from '../record-meta.ts';

export type DeadLetterWriter = (record: BusRecord, info: DeadLetterInfo) => Promise<void>;

export function createDeadLetterWriter(db: Database.Database, now: () => number): DeadLetterWriter {
  const insertDead = db.prepare(
    `INSERT INTO dead_letters (consumer, reason, attempts, dead_at, seq, ${DEAD_LETTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ${placeholders(DEAD_LETTER_COLUMNS)})`,
  );
  return async (record, info) => {
    insertDead.run(info.consumer, info.reason, info.attempts, now(), Number(record.id), ...deadLetterValues(record.meta, record.body));
  };
}
