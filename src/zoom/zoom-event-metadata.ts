// What the bus needs to know about an accepted Zoom body, read once at the ingress. Pure.
// Zoom's QSS bodies put the account in payload.account_id and the instance (meeting/webinar uuid,
// Video SDK session id, phone call id) in payload.object (Zoom README §1).

export interface ZoomEventMetadata {
  event: string;
  accountId: string | undefined;
  /** Partitioning key: the meeting/webinar/session/call instance, else the account id. */
  instanceKey: string | undefined;
  eventTs: number | undefined;
}

export type ParsedZoomBody =
  | { ok: true; body: Record<string, unknown>; meta: ZoomEventMetadata }
  | { ok: false; reason: 'invalid_json' | 'not_an_object' | 'missing_event' };

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function zoomEventMetadata(body: Record<string, unknown>): ZoomEventMetadata {
  const payload = record(body.payload);
  const object = record(payload?.object);
  const accountId = str(payload?.account_id);
  const instance = str(object?.uuid) ?? str(object?.session_id) ?? str(object?.call_id) ?? str(object?.id);
  return {
    event: body.event as string,
    accountId,
    instanceKey: instance ?? accountId,
    eventTs: typeof body.event_ts === 'number' ? body.event_ts : undefined,
  };
}

/** JSON text → a Zoom event object with a string `event`, or why not. */
export function parseZoomBody(text: string): ParsedZoomBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid_json' };
  }
  const body = record(value);
  if (body === undefined) return { ok: false, reason: 'not_an_object' };
  if (typeof body.event !== 'string' || body.event === '') return { ok: false, reason: 'missing_event' };
  return { ok: true, body, meta: zoomEventMetadata(body) };
}
