// What the map stage hands an event sink: one routed Zoom event, its body after the sink's PII
// policy (Zoom's exact bytes when nothing was changed), and the bus record it came from.
import type { BusRecord } from '../../bus/bus.ts';

export interface SinkEvent {
  record: BusRecord;
  /** JSON text: the verbatim body, or the body re-serialised after PII fields were dropped/hashed. */
  body: string;
  /** Fields the PII policy dropped or hashed. */
  pii_changed: number;
}
