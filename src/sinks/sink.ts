// The interface every sink implements. A sink turns one prepared batch (events or metric points,
// from src/pipeline/prepare-sink-batch.ts) into one delivery and says how it went; routing,
// mapping, retries, backoff and dead-lettering are shared (src/pipeline).
import type { DeliveryResult } from '../delivery/delivery-result.ts';
import type { MetricPoint } from '../pipeline/map/metric-point.ts';
import type { SinkEvent } from '../pipeline/map/sink-event.ts';

export interface SinkBatch {
  /** With `data: events`: the routed events, PII policy applied. */
  events: readonly SinkEvent[];
  /** With `data: metrics`: the points of the routed QoS events, attributes filtered, capped. */
  points: readonly MetricPoint[];
}

export interface Sink {
  readonly name: string;
  readonly type: string;
  write(batch: SinkBatch, signal: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
}
