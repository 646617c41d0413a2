// The bus between the ingress and the sink workers. One interface, several implementations
// (embedded SQLite today; Kafka later). Outcomes are values; exceptions are bugs.
import type { BusRecordMeta } from './record-meta.ts';

/** The record's metadata; its fields are the rows of record-meta.ts. */
export type { BusRecordMeta };

export interface PublishRequest {
  /** Zoom's body, byte-for-byte as received. */
  body: Buffer;
  meta: BusRecordMeta;
}

export type PublishFailure = 'full' | 'disk_low' | 'closed' | 'storage_error';

export type PublishOutcome =
  | { ok: true; id: string }
  | { ok: false; reason: PublishFailure };

export interface BusRecord {
  /** Position of the record on the bus, unique per bus (embedded: sequence number). */
  id: string;
  body: Buffer;
  meta: BusRecordMeta;
}

export interface BatchSignals {
  /** The consumer is stopping: start no new attempt and do not wait (backoff) any more. */
  stop: AbortSignal;
  /** The shutdown grace is over: cancel what is in flight. */
  abort: AbortSignal;
}

/**
 * Delivers a batch. Resolves with how many records from the front of the batch are done
 * (delivered or dead-lettered); the bus commits exactly those, and hands the rest back later.
 */
export type BatchHandler = (batch: readonly BusRecord[], signals: BatchSignals) => Promise<number>;

export interface ConsumeOptions {
  maxBatchEvents: number;
  /**
   * Batching by age: when fewer than maxBatchEvents are waiting, wait until the oldest is this old
   * (ms since it was received) before handing the batch over. 0 = hand over what is there.
   */
  maxWaitMs?: number;
}

export interface ConsumerHandle {
  /**
   * Stops fetching at once, gives the in-flight batch `graceMs` to finish, then aborts its signal;
   * commits what was done. Resolves when the consumer has ended.
   */
  stop(graceMs: number): Promise<void>;
  /** Resolves when the consume loop has ended (after stop, or on a fatal storage error). */
  readonly done: Promise<void>;
}

export interface DeadLetterInfo {
  consumer: string;
  reason: string;
  attempts: number;
}

export interface BusHealth {
  /** True when the bus can accept new events. */
  ready: boolean;
  /** Accepting, but not the normal way (e.g. spooling locally while Kafka is away). */
  degraded?: boolean;
  detail: string;
}

export interface Bus {
  publish(request: PublishRequest): Promise<PublishOutcome>;
  consume(consumer: string, handler: BatchHandler, options: ConsumeOptions): ConsumerHandle;
  deadLetter(record: BusRecord, info: DeadLetterInfo): Promise<void>;
  health(): BusHealth;
  close(): Promise<void>;
}
