// Video SDK session events (`session.user_*`, Zoom README §2.3–2.5): the same qos[] and data[] items
// as meetings, under `session_id`, `session_name`, `session_key` and a `user{id, name, user_key,
// is_original_host}` instead of `uuid` and `participant`. Pure, like qss-traffic.ts.
import { participantQosItems, participantQosSummaryItems } from './participant-qos-items.ts';
import { envelope, familySeed, subjectOf, zoomDateTime, type QssEventBody, type TrafficContext } from './qss-traffic.ts';
import { createSeededRandom, mixSeed } from './seeded-random.ts';
import { BASE64URL_ALPHABET, type SimulatedMeeting, type SimulatedParticipant } from './simulated-participant.ts';

const TOPICS = ['Telehealth visit', 'Support call', 'Tutoring', 'Onboarding', 'Interview', 'Stand-up', 'Watch party'];
const KEY_ALPHABET = BASE64URL_ALPHABET.slice(0, 62);

interface SessionNames {
  name: string;
  key: string;
}

function sessionNames(ctx: TrafficContext, sessionIndex: number): SessionNames {
  const random = createSeededRandom(mixSeed(familySeed(ctx, 'session'), 0x5e5, sessionIndex));
  return { name: `${random.pick(TOPICS)} ${random.int(1000, 9999)}`, key: random.chars(12, KEY_ALPHABET) };
}

function userKey(ctx: TrafficContext, sessionIndex: number, userIndex: number): string {
  return createSeededRandom(mixSeed(familySeed(ctx, 'session'), 0x05e7, sessionIndex, userIndex)).chars(12, KEY_ALPHABET);
}

function sessionObject(
  ctx: TrafficContext,
  session: SimulatedMeeting,
  user: SimulatedParticipant,
  indexes: [number, number],
  list: Record<string, unknown>,
): Record<string, unknown> {
  const names = sessionNames(ctx, indexes[0]);
  return {
    session_id: session.uuid,
    session_name: names.name,
    session_key: names.key,
    user: {
      id: user.participantId,
      name: user.userName,
      user_key: userKey(ctx, indexes[0], indexes[1]),
      is_original_host: indexes[1] === 0,
      ...list,
    },
  };
}

/** Sent when a user joins (and on setting changes). */
export function sessionUserDataBody(ctx: TrafficContext, sessionIndex: number, userIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant } = subjectOf(ctx, 'session', 0xda7a, sessionIndex, userIndex, timeMs);
  return envelope(ctx, 'session.user_data', timeMs, sessionObject(ctx, meeting, participant, [sessionIndex, userIndex], { data: [{ ...participant.data }] }));
}

/** One aggregated record per user per minute. */
export function sessionUserQosBody(ctx: TrafficContext, sessionIndex: number, userIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant, random } = subjectOf(ctx, 'session', 0x9005, sessionIndex, userIndex, timeMs);
  const qos = participantQosItems(random, meeting, participant, zoomDateTime(timeMs));
  return envelope(ctx, 'session.user_qos', timeMs, sessionObject(ctx, meeting, participant, [sessionIndex, userIndex], { qos }));
}

/** Once, when the user leaves: min/avg/max per type, no date_time, RSSI as integers. */
export function sessionUserQosSummaryBody(ctx: TrafficContext, sessionIndex: number, userIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant, random } = subjectOf(ctx, 'session', 0x5e55, sessionIndex, userIndex, timeMs);
  const qos = participantQosSummaryItems(random, meeting, participant);
  return envelope(ctx, 'session.user_qos_summary', timeMs, sessionObject(ctx, meeting, participant, [sessionIndex, userIndex], { qos }));
}

/** Once, when the user leaves: the join data plus `device_detail` and `client`. */
export function sessionUserDataSummaryBody(ctx: TrafficContext, sessionIndex: number, userIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant } = subjectOf(ctx, 'session', 0xda75, sessionIndex, userIndex, timeMs);
  const data = [{ ...participant.data, device_detail: participant.deviceDetail, client: participant.client }];
  return envelope(ctx, 'session.user_data_summary', timeMs, sessionObject(ctx, meeting, participant, [sessionIndex, userIndex], { data }));
}
