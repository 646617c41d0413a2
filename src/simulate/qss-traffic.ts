// Pure generators of Zoom QSS webhook bodies for `qss-forwarder simulate`, shaped like Zoom's own
// examples (../shared/zoom/examples). Every body is a function of (seed, instance index, participant
// index, time): the same inputs give the same body, so runs can be replayed. This file holds the
// envelope, the meeting events and the webinar events (same shapes, Zoom README §1–2.4);
// session-traffic.ts and phone-traffic.ts hold the Video SDK and Zoom Phone events.
import { zoomCrcToken } from '../zoom/zoom-signature.ts';
import { participantQosItems, participantQosSummaryItems } from './participant-qos-items.ts';
import { createSeededRandom, mixSeed, type SeededRandom } from './seeded-random.ts';
import {
  BASE64URL_ALPHABET,
  degradeParticipant,
  simulatedAccountId,
  simulatedMeeting,
  simulatedParticipant,
  type SimulatedMeeting,
  type SimulatedParticipant,
} from './simulated-participant.ts';

export type QssEventName =
  | 'endpoint.url_validation'
  | 'meeting.participant_data'
  | 'meeting.participant_qos'
  | 'meeting.participant_qos_summary'
  | 'meeting.participant_data_summary'
  | 'webinar.participant_data'
  | 'webinar.participant_qos'
  | 'webinar.participant_qos_summary'
  | 'webinar.participant_data_summary'
  | 'session.user_data'
  | 'session.user_qos'
  | 'session.user_qos_summary'
  | 'session.user_data_summary'
  | 'phone.call_qos'
  | 'phone.call_qos_summary';

export interface QssEventBody {
  event: QssEventName;
  event_ts: number;
  payload: Record<string, unknown>;
}

export interface UrlValidationBody {
  payload: { plainToken: string };
  event_ts: number;
  event: 'endpoint.url_validation';
}

/** What a simulated instance is: a meeting, a webinar, a Video SDK session or a phone call. */
export type TrafficFamily = 'meeting' | 'webinar' | 'session' | 'phone';

export interface TrafficContext {
  seed: number;
  /** Fixed for the whole run, like one Zoom account sending all events. */
  accountId: string;
  /** Share of participants (and phone call legs) with a degraded network, 0–1. 0: none. */
  degradedShare: number;
  /** When the simulated meetings, sessions and calls started (epoch ms); phone bodies carry it. */
  startedAtMs?: number;
}

export interface TrafficContextOptions {
  /** Share of degraded participants, 0–1 (default 0: the traffic is exactly what it always was). */
  degradedShare?: number;
  startedAtMs?: number;
}

export function createTrafficContext(seed: number, options: TrafficContextOptions = {}): TrafficContext {
  const ctx: TrafficContext = { seed, accountId: simulatedAccountId(seed), degradedShare: options.degradedShare ?? 0 };
  if (options.startedAtMs !== undefined) ctx.startedAtMs = options.startedAtMs;
  return ctx;
}

const FAMILY_CODE: Record<TrafficFamily, number> = { meeting: 1, webinar: 2, session: 3, phone: 4 };

/**
 * Whether a participant (or call leg) is one of the degraded share: a stream of its own per
 * participant, so the choice does not move anyone else's values, and the same for a seed.
 */
export function degradationRandom(ctx: TrafficContext, family: TrafficFamily, instanceIndex: number, participantIndex: number): SeededRandom | undefined {
  if (!(ctx.degradedShare > 0)) return undefined;
  const random = createSeededRandom(mixSeed(ctx.seed, 0xde9a, FAMILY_CODE[family], instanceIndex, participantIndex));
  return random.next() < ctx.degradedShare ? random : undefined;
}

export function isDegraded(ctx: TrafficContext, family: TrafficFamily, instanceIndex: number, participantIndex: number): boolean {
  return degradationRandom(ctx, family, instanceIndex, participantIndex) !== undefined;
}

/** The seed a family's instances and people are drawn from. Meetings keep the run's seed itself. */
export function familySeed(ctx: TrafficContext, family: TrafficFamily): number {
  return family === 'meeting' ? ctx.seed : mixSeed(ctx.seed, 0xfa3, FAMILY_CODE[family]);
}

/** ISO-8601 UTC to the second, as Zoom writes `date_time` ("2021-07-13T21:44:51Z"). */
export function zoomDateTime(timeMs: number): string {
  return new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The CRC challenge body. Key order as in Zoom's example: payload, event_ts, event. */
export function urlValidationBody(seed: number, timeMs: number): UrlValidationBody {
  const plainToken = createSeededRandom(mixSeed(seed, 0xc2c, timeMs)).chars(22, BASE64URL_ALPHABET);
  return { payload: { plainToken }, event_ts: timeMs, event: 'endpoint.url_validation' };
}

/** Whether an answer to the URL validation is Zoom's expected one: 2xx, the plain token and its HMAC. */
export function isCrcAnswer(status: number, body: string, secret: string, plainToken: string): boolean {
  if (status < 200 || status > 299) return false;
  try {
    const answer = JSON.parse(body) as { plainToken?: unknown; encryptedToken?: unknown };
    return answer.plainToken === plainToken && answer.encryptedToken === zoomCrcToken(secret, plainToken);
  } catch {
    return false;
  }
}

export interface Subject {
  meeting: SimulatedMeeting;
  participant: SimulatedParticipant;
  random: SeededRandom;
}

/** The instance, the participant (degraded or not) and a random stream for one body. */
export function subjectOf(
  ctx: TrafficContext,
  family: Exclude<TrafficFamily, 'phone'>,
  salt: number,
  instanceIndex: number,
  participantIndex: number,
  timeMs: number,
): Subject {
  const seed = familySeed(ctx, family);
  const healthy = simulatedParticipant(seed, instanceIndex, participantIndex);
  const degradation = degradationRandom(ctx, family, instanceIndex, participantIndex);
  return {
    meeting: simulatedMeeting(seed, instanceIndex),
    participant: degradation === undefined ? healthy : degradeParticipant(healthy, degradation),
    random: createSeededRandom(mixSeed(seed, salt, instanceIndex, participantIndex, timeMs)),
  };
}

export function envelope(ctx: TrafficContext, event: QssEventName, timeMs: number, object: Record<string, unknown>): QssEventBody {
  return { event, event_ts: timeMs, payload: { account_id: ctx.accountId, object } };
}

type Conference = 'meeting' | 'webinar';

function conferenceDataBody(family: Conference, ctx: TrafficContext, instanceIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant } = subjectOf(ctx, family, 0xda7a, instanceIndex, participantIndex, timeMs);
  return envelope(ctx, `${family}.participant_data`, timeMs, {
    uuid: meeting.uuid,
    participant: {
      participant_id: participant.participantId,
      participant_user_id: participant.participantUserId,
      email: participant.email,
      data: [{ ...participant.data }],
    },
  });
}

function conferenceQosBody(family: Conference, ctx: TrafficContext, instanceIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant, random } = subjectOf(ctx, family, 0x9005, instanceIndex, participantIndex, timeMs);
  return envelope(ctx, `${family}.participant_qos`, timeMs, {
    uuid: meeting.uuid,
    participant: {
      user_id: participant.participantId,
      participant_user_id: participant.participantUserId,
      email: participant.email,
      qos: participantQosItems(random, meeting, participant, zoomDateTime(timeMs)),
    },
  });
}

function conferenceQosSummaryBody(family: Conference, ctx: TrafficContext, instanceIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant, random } = subjectOf(ctx, family, 0x5e55, instanceIndex, participantIndex, timeMs);
  return envelope(ctx, `${family}.participant_qos_summary`, timeMs, {
    uuid: meeting.uuid,
    id: meeting.id,
    participant: {
      participant_id: participant.participantId,
      user_name: participant.userName,
      id: participant.participantUserId,
      email: participant.email,
      qos: participantQosSummaryItems(random, meeting, participant),
    },
  });
}

/** Meetings: the join data plus `device_detail` and `client`, and the meeting number `id`. */
function conferenceDataSummaryBody(family: Conference, ctx: TrafficContext, instanceIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant } = subjectOf(ctx, family, 0xda75, instanceIndex, participantIndex, timeMs);
  const data = family === 'meeting' ? { ...participant.data, device_detail: participant.deviceDetail, client: participant.client } : { ...participant.data };
  return envelope(ctx, `${family}.participant_data_summary`, timeMs, {
    uuid: meeting.uuid,
    // Zoom added `id`, `device_detail` and `client` to the meeting event only (README §1.1, 2025-02-10).
    ...(family === 'meeting' ? { id: meeting.id } : {}),
    participant: {
      participant_id: participant.participantId,
      participant_user_id: participant.participantUserId,
      email: participant.email,
      data: [data],
    },
  });
}

/** Sent when a participant joins (Zoom also sends it when settings change). */
export function participantDataBody(ctx: TrafficContext, meetingIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  return conferenceDataBody('meeting', ctx, meetingIndex, participantIndex, timeMs);
}

/** One aggregated record per participant per minute. `date_time` is the end of the sampled minute. */
export function participantQosBody(ctx: TrafficContext, meetingIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  return conferenceQosBody('meeting', ctx, meetingIndex, participantIndex, timeMs);
}

/** Sent once when the participant leaves. */
export function participantQosSummaryBody(ctx: TrafficContext, meetingIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  return conferenceQosSummaryBody('meeting', ctx, meetingIndex, participantIndex, timeMs);
}

/** Sent once when the participant leaves; carries `device_detail` and `client` on top of the join data. */
export function participantDataSummaryBody(ctx: TrafficContext, meetingIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  return conferenceDataSummaryBody('meeting', ctx, meetingIndex, participantIndex, timeMs);
}

export function webinarParticipantDataBody(ctx: TrafficContext, webinarIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  return conferenceDataBody('webinar', ctx, webinarIndex, participantIndex, timeMs);
}

export function webinarParticipantQosBody(ctx: TrafficContext, webinarIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  return conferenceQosBody('webinar', ctx, webinarIndex, participantIndex, timeMs);
}

/** `id` is the webinar number. */
export function webinarParticipantQosSummaryBody(ctx: TrafficContext, webinarIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  return conferenceQosSummaryBody('webinar', ctx, webinarIndex, participantIndex, timeMs);
}

/** Like the join data; unlike the meeting event, no `id`, `device_detail` or `client` (Zoom README §1, §2.4). */
export function webinarParticipantDataSummaryBody(ctx: TrafficContext, webinarIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  return conferenceDataSummaryBody('webinar', ctx, webinarIndex, participantIndex, timeMs);
}
