// The events file given to `explain --event`: one Zoom body (pretty-printed or not), a JSON array
// of bodies, or JSON Lines — of bodies, or of the file sink's lines (their `body` is the Zoom body,
// so `explain --event data/events.jsonl` explains what was received). Pure.
import type { BusRecordMeta } from '../bus/bus.ts';
import type { ExplainInput } from './explain-events.ts';
import { zoomEventMetadata } from '../zoom/zoom-event-metadata.ts';

export type ParsedExplainInput = { ok: true; inputs: ExplainInput[] } | { ok: false; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A file sink line: our metadata around Zoom's body as a string. */
function fromSinkLine(line: Record<string, unknown>): ExplainInput | undefined {
  if (typeof line.body !== 'string' || typeof line.received_at !== 'string' || typeof line.app !== 'string') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(line.body);
  } catch {
    return undefined;
  }
  if (!isObject(body)) return undefined;
  return toInput(Buffer.from(line.body), body, line.app, Date.parse(line.received_at));
}

function toInput(bytes: Buffer, body: Record<string, unknown>, app: string, receivedAt?: number): ExplainInput {
  const m = zoomEventMetadata(body);
  const meta: BusRecordMeta = {
    app,
    event: typeof body.event === 'string' ? body.event : '',
    accountId: m.accountId,
    instanceKey: m.instanceKey,
    // Deterministic: the event's own time stands in for when it was received.
    receivedAt: receivedAt !== undefined && Number.isFinite(receivedAt) ? receivedAt : (m.eventTs ?? 0),
  };
  return { body: bytes, meta };
}

function fromValue(value: unknown, bytes: Buffer, app: string, where: string): ExplainInput | string {
  if (!isObject(value)) return `${where}: expected a JSON object (a Zoom webhook body)`;
  const line = fromSinkLine(value);
  if (line !== undefined) return line;
  if (typeof value.event !== 'string') return `${where}: not a Zoom webhook body (no "event")`;
  return toInput(bytes, value, app);
}

export function parseExplainInput(text: string, file: string, app: string): ParsedExplainInput {
  const inputs: ExplainInput[] = [];
  let whole: unknown;
  let isWhole = true;
  try {
    whole = JSON.parse(text);
  } catch {
    isWhole = false;
  }
  if (isWhole) {
    const values = Array.isArray(whole) ? whole : [whole];
    for (const [i, v] of values.entries()) {
      // One body: its bytes as they are in the file. Array items: re-serialised.
      const bytes = Array.isArray(whole) ? Buffer.from(JSON.stringify(v)) : Buffer.from(text.trim());
      const r = fromValue(v, bytes, app, Array.isArray(whole) ? `${file}[${i}]` : file);
      if (typeof r === 'string') return { ok: false, message: r };
      inputs.push(r);
    }
    return { ok: true, inputs };
  }
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return { ok: false, message: `${file}:${i + 1}: not JSON (expected one Zoom body, a JSON array of bodies, or JSON Lines)` };
    }
    const r = fromValue(v, Buffer.from(line), app, `${file}:${i + 1}`);
    if (typeof r === 'string') return { ok: false, message: r };
    inputs.push(r);
  }
  if (inputs.length === 0) return { ok: false, message: `${file}: no events in the file` };
  return { ok: true, inputs };
}
