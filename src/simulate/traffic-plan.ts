// What a simulation sends, independent of time and network: who takes part (meetings, webinars,
// Video SDK sessions, phone calls), which events each of them produces in each phase, how a body is
// built, and which events are duplicated or held back. Pure and seeded: the same options give the
// same plan.
import {
  participantDataBody,
  participantDataSummaryBody,
  participantQosBody,
  participantQosSummaryBody,
  webinarParticipantDataBody,
  webinarParticipantDataSummaryBody,
  webinarParticipantQosBody,
  webinarParticipantQosSummaryBody,
  isDegraded,
  type QssEventBody,
  type QssEventName,
  type TrafficContext,
  type TrafficFamily,
} from './qss-traffic.ts';
import { PHONE_LEGS, phoneCallQosBody, phoneCallQosSummaryBody } from './phone-traffic.ts';
import { createSeededRandom, mixSeed } from './seeded-random.ts';
import { sessionUserDataBody, sessionUserDataSummaryBody, sessionUserQosBody, sessionUserQosSummaryBody } from './session-traffic.ts';

export interface TrafficMix {
  meetings: number;
  webinars: number;
  sessions: number;
  /** Phone calls; each has two legs (caller, callee), whatever `participants` is. */
  calls: number;
  /** Per meeting, webinar and session. */
  participants: number;
}

/** One participant of one instance (for phone: one leg of one call). */
export interface TrafficSubject {
  family: TrafficFamily;
  instance: number;
  participant: number;
}

export type TrafficPhase = 'join' | 'qos' | 'leave';

export type SimulatedEventName = Exclude<QssEventName, 'endpoint.url_validation'>;

type Builder = (ctx: TrafficContext, instance: number, participant: number, timeMs: number) => QssEventBody;

const BUILDERS: Record<SimulatedEventName, Builder> = {
  'meeting.participant_data': participantDataBody,
  'meeting.participant_qos': participantQosBody,
  'meeting.participant_qos_summary': participantQosSummaryBody,
  'meeting.participant_data_summary': participantDataSummaryBody,
  'webinar.participant_data': webinarParticipantDataBody,
  'webinar.participant_qos': webinarParticipantQosBody,
  'webinar.participant_qos_summary': webinarParticipantQosSummaryBody,
  'webinar.participant_data_summary': webinarParticipantDataSummaryBody,
  'session.user_data': sessionUserDataBody,
  'session.user_qos': sessionUserQosBody,
  'session.user_qos_summary': sessionUserQosSummaryBody,
  'session.user_data_summary': sessionUserDataSummaryBody,
  'phone.call_qos': phoneCallQosBody,
  'phone.call_qos_summary': (ctx, call, _leg, timeMs) => phoneCallQosSummaryBody(ctx, call, timeMs),
};

/** Data at join, one QoS record per minute, both summaries when leaving (qos first, as today). */
const PHASES: Record<TrafficFamily, Record<TrafficPhase, readonly SimulatedEventName[]>> = {
  meeting: {
    join: ['meeting.participant_data'],
    qos: ['meeting.participant_qos'],
    leave: ['meeting.participant_qos_summary', 'meeting.participant_data_summary'],
  },
  webinar: {
    join: ['webinar.participant_data'],
    qos: ['webinar.participant_qos'],
    leave: ['webinar.participant_qos_summary', 'webinar.participant_data_summary'],
  },
  session: {
    join: ['session.user_data'],
    qos: ['session.user_qos'],
    leave: ['session.user_qos_summary', 'session.user_data_summary'],
  },
  // Zoom Phone has no data events; the summary covers both legs, so only the caller's leg sends it.
  phone: { join: [], qos: ['phone.call_qos'], leave: ['phone.call_qos_summary'] },
};

const FAMILIES: readonly TrafficFamily[] = ['meeting', 'webinar', 'session', 'phone'];

function familyCounts(mix: TrafficMix): Record<TrafficFamily, { instances: number; perInstance: number }> {
  return {
    meeting: { instances: mix.meetings, perInstance: mix.participants },
    webinar: { instances: mix.webinars, perInstance: mix.participants },
    session: { instances: mix.sessions, perInstance: mix.participants },
    phone: { instances: mix.calls, perInstance: PHONE_LEGS },
  };
}

/** How many subjects (participants, users, call legs) the mix has in all. */
export function subjectCount(mix: TrafficMix): number {
  return Object.values(familyCounts(mix)).reduce((n, f) => n + f.instances * f.perInstance, 0);
}

/**
 * The k-th subject, 0 ≤ k < subjectCount: meetings first (meeting-major, participant-minor, as
 * `simulate` always ordered them), then webinars, sessions and call legs.
 */
export function subjectAt(mix: TrafficMix, k: number): TrafficSubject {
  const counts = familyCounts(mix);
  let rest = k;
  for (const family of FAMILIES) {
    const { instances, perInstance } = counts[family];
    const size = instances * perInstance;
    if (rest < size) return { family, instance: Math.floor(rest / perInstance), participant: rest % perInstance };
    rest -= size;
  }
  throw new RangeError(`subject ${k} is outside the mix (${subjectCount(mix)} subjects)`);
}

export function phaseEvents(subject: TrafficSubject, phase: TrafficPhase): readonly SimulatedEventName[] {
  if (subject.family === 'phone' && phase === 'leave' && subject.participant !== 0) return [];
  return PHASES[subject.family][phase];
}

export function buildEventBody(ctx: TrafficContext, event: SimulatedEventName, subject: TrafficSubject, timeMs: number): QssEventBody {
  return BUILDERS[event](ctx, subject.instance, subject.participant, timeMs);
}

export function degradedSubjectCount(ctx: TrafficContext, mix: TrafficMix): number {
  if (!(ctx.degradedShare > 0)) return 0;
  let n = 0;
  const total = subjectCount(mix);
  for (let k = 0; k < total; k++) {
    const s = subjectAt(mix, k);
    if (isDegraded(ctx, s.family, s.instance, s.participant)) n++;
  }
  return n;
}

export interface DeliveryFaultOptions {
  /** Share of events sent twice (an identical second delivery right after the first). */
  duplicates: number;
  /** Share of events held back and sent after 1–`holdMax` later events. */
  reorder: number;
  holdMax: number;
}

export interface DeliveryFaults {
  duplicate: boolean;
  /** 0: sent in order; n: sent after n more new events were sent. */
  holdFor: number;
}

/** Seeded fault decisions, one per generated event, in generation order. */
export function createDeliveryFaults(seed: number, options: DeliveryFaultOptions): () => DeliveryFaults {
  const random = createSeededRandom(mixSeed(seed, 0xfa17));
  const holdMax = Math.max(1, Math.floor(options.holdMax));
  return () => {
    const duplicate = random.next() < options.duplicates;
    const held = random.next() < options.reorder;
    const holdFor = random.int(1, holdMax);
    return { duplicate, holdFor: held ? holdFor : 0 };
  };
}

/**
 * The event_ts of each new event: "now", bumped by 1 ms where needed, so that
 * event|instance|participant|event_ts (event-identity.ts) is unique across the run.
 */
export function createUniqueEventTimes(): (event: SimulatedEventName, subject: TrafficSubject, nowMs: number) => number {
  const lastTs = new Map<string, number>();
  return (event, s, t) => {
    const key = `${event}|${s.family}|${s.instance}|${s.participant}`;
    const last = lastTs.get(key);
    const ts = last !== undefined && t <= last ? last + 1 : t;
    lastTs.set(key, ts);
    return ts;
  };
}
