// The identity of one QSS event, to find a sent event again wherever it ends up (a sink's stored
// body, the simulator's result file). QSS bodies carry no event id (Zoom README §3.6), so the
// identity is a content key built from fields every body has:
//
//   key = event | instance | participant | event_ts
//
//   instance:    meeting/webinar `payload.object.uuid`, Video SDK `session_id`, phone `call_id`
//   participant: meeting/webinar `participant.participant_id`, or `participant.user_id` in
//                real-time qos; Video SDK `user.id`; phone.call_qos `call_qos.id`;
//                phone.call_qos_summary: "" (one summary per call, for both legs)
//   event_ts:    epoch milliseconds, as a decimal integer
//
// `simulate` makes this key unique per generated event (it bumps event_ts by 1 ms where two events
// of the same type, instance and participant would share it), and sends each event's
// `x-zm-request-id` header unchanged on every retry and duplicate. Pure.

export interface EventIdentity {
  event: string;
  instance: string;
  participant: string;
  eventTs: number;
  key: string;
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const id = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

export function contentKey(event: string, instance: string, participant: string, eventTs: number): string {
  return `${event}|${instance}|${participant}|${eventTs}`;
}

/** The identity of a QSS body (parsed JSON), or undefined when it lacks one of the parts. */
export function eventIdentity(body: unknown): EventIdentity | undefined {
  const root = record(body);
  const event = root?.event;
  const eventTs = root?.event_ts;
  const object = record(record(root?.payload)?.object);
  if (typeof event !== 'string' || typeof eventTs !== 'number' || !Number.isSafeInteger(eventTs) || object === undefined) return undefined;
  let instance: string | undefined;
  let participant: string | undefined;
  if (event.startsWith('phone.')) {
    instance = id(object.call_id);
    const leg = record(object.call_qos);
    participant = Array.isArray(object.call_qos) ? '' : id(leg?.id) ?? id(leg?.user_id);
  } else if (event.startsWith('session.')) {
    instance = id(object.session_id);
    participant = id(record(object.user)?.id);
  } else {
    instance = id(object.uuid);
    const who = record(object.participant);
    participant = id(who?.participant_id) ?? id(who?.user_id);
  }
  if (instance === undefined || participant === undefined) return undefined;
  return { event, instance, participant, eventTs, key: contentKey(event, instance, participant, eventTs) };
}
