// The interface every sink implements. A sink turns one prepared batch (events or metric points,
// from src/pipeline/prepare-sink-batch.ts) into one delivery and says how it went; routing,
// mapping, retries, backoff and dead-lettering are shared (src/worker, src/delivery).
import type { BatchSignals, BusRecord } from '../bus/bus.ts';
import type { DeliveryResult } from '../delivery/delivery-result.ts';
import type { MetricPoint } from '../pipeline/map/metric-point.ts';
import type { SinkEvent } from '../pipeline/map/sink-event.ts';

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
   * Delivers the batch; resolves when all of it is delivered or refused (`partial`), or with
   * `retryable` when it gave up for now (`signals.stop`: the consumer is stopping; nothing is
   * committed and the batch comes again). `signals.abort` cancels requests in flight.
   */
  write(batch: SinkBatch, signals: BatchSignals): Promise<SinkResult>;
  close(): Promise<void>;
}
