// The interface every sink implements. A sink turns one batch into one delivery and says how it
// went; batching, retries, backoff and dead-lettering are shared (src/pipeline).
import type { BusRecord } from '../bus/bus.ts';
import type { DeliveryResult } from '../delivery/delivery-result.ts';

export interface Sink {
  readonly name: string;
  readonly type: string;
  write(batch: readonly BusRecord[], signal: AbortSignal): Promise<DeliveryResult>;
  close(): Promise<void>;
}
