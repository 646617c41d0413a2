// A bus record as one JSON Lines line: our metadata plus Zoom's body as a string holding the
// verbatim bytes (JSON.parse(line).body is byte-identical to what Zoom sent). Pure.
import type { BusRecord } from '../bus/bus.ts';

export interface JsonLineRecord {
  id: string;
  received_at: string;
  app: string;
  event: string;
  account_id: string | null;
  instance_key: string | null;
  request_id: string | null;
  tracking_id: string | null;
  body: string;
}

export function busRecordToJsonLine(record: BusRecord): string {
  const m = record.meta;
  const line: JsonLineRecord = {
    id: record.id,
    received_at: new Date(m.receivedAt).toISOString(),
    app: m.app,
    event: m.event,
    account_id: m.accountId ?? null,
    instance_key: m.instanceKey ?? null,
    request_id: m.requestId ?? null,
    tracking_id: m.trackingId ?? null,
    body: record.body.toString('utf8'),
  };
  return `${JSON.stringify(line)}\n`;
}
