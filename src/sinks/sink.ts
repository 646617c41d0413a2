// The interface every sink implements. A sink turns one prepared batch (events or metric points,
// from src/pipeline/prepare-sink-batch.ts) into one delivery and says how it went; routing and
// mapping (src/pipeline), retries and backoff (src/delivery) and dead-lettering (src/worker) are
// shared.
import type { BatchSignals, BusRecord } from '../bus/bus.ts';
import type { DeliveryResult } from '../delivery/delivery-result.ts';
import type { MetricPoint, SinkEvent } from '../pipeline/sink-contract.ts';

export interface SinkBatch {
  /** With `data: events`: the routed events, PII policy applied. */
  events: readonly SinkEvent[];
  /** With `data: metrics`: the points of the routed QoS events, attributes filtered, capped. */
  points: readonly MetricPoint[];
  /** The record each point came from (same index as `points`). */
  pointRecords: readonly BusRecord[];
}

/** How a sink's write went, about the bus records it carried. */
export type SinkResult = DeliveryResult<BusRecord>;

export interface Sink {
  readonly name: string;
  readonly type: string;
  /**
   * Delivers the batch; resolves when all of it is delivered or refused (`partial`, `permanent`),
   * or with `retryable` when it gave up for now. A sink as created is one attempt (file, stdout:
   * `retryable` on a failed write; the HTTP sinks retry per request and answer `retryable` only
   * when `signals.stop` ended that); the registry's (createSink) is wrapped in the delivery retry
   * loop and answers `retryable` only when stopping: nothing is committed and the batch comes
   * again. `signals.abort` cancels requests in flight.
   */
  write(batch: SinkBatch, signals: BatchSignals): Promise<SinkResult>;
  close(): Promise<void>;
}
