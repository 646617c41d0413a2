// `replay --from-dlq`: puts dead-lettered records back on the bus, addressed to the sink that
// dead-lettered them (meta.targetSink), so the other sinks do not get them twice. What to replay,
// and what was: shared by the embedded replay (replay-embedded-dead-letters.ts) and the Kafka one
// (replay-kafka-dead-letters.ts).

export interface ReplayFilter {
  sink?: string | undefined;
  /** Only records dead-lettered at or after this time (epoch ms). */
  sinceMs?: number | undefined;
}

export interface ReplayResult {
  scanned: number;
  replayed: number;
  skipped: { filtered: number; undecodable: number };
}
