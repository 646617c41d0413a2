// Pure generators of Zoom QSS webhook bodies for `qss-forwarder simulate`, shaped like Zoom's own
// examples (../shared/zoom/examples). Every body is a function of (seed, meeting index, participant
// index, time): the same inputs give the same body, so runs can be replayed.
import { participantQosItems, participantQosSummaryItems } from './participant-qos-items.ts';
import { createSeededRandom, mixSeed, type SeededRandom } from './seeded-random.ts';
import {
  BASE64URL_ALPHABET,
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
  | 'meeting.participant_data_summary';

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

export interface TrafficContext {
  seed: number;
  /** Fixed for the whole run, like one Zoom account sending all events. */
  accountId: string;
}

export function createTrafficContext(seed: number): TrafficContext {
  return { seed, accountId: simulatedAccountId(seed) };
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

interface Subject {
  meeting: SimulatedMeeting;
  participant: SimulatedParticipant;
  random: SeededRandom;
}

function subject(ctx: TrafficContext, salt: number, meetingIndex: number, participantIndex: number, timeMs: number): Subject {
  return {
    meeting: simulatedMeeting(ctx.seed, meetingIndex),
    participant: simulatedParticipant(ctx.seed, meetingIndex, participantIndex),
    random: createSeededRandom(mixSeed(ctx.seed, salt, meetingIndex, participantIndex, timeMs)),
  };
}

function envelope(ctx: TrafficContext, event: QssEventName, timeMs: number, object: Record<string, unknown>): QssEventBody {
  return { event, event_ts: timeMs, payload: { account_id: ctx.accountId, object } };
}

/** Sent when a participant joins (Zoom also sends it when settings change). */
export function participantDataBody(ctx: TrafficContext, meetingIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant } = subject(ctx, 0xda7a, meetingIndex, participantIndex, timeMs);
  return envelope(ctx, 'meeting.participant_data', timeMs, {
    uuid: meeting.uuid,
    participant: {
      participant_id: participant.participantId,
      participant_user_id: participant.participantUserId,
      email: participant.email,
      data: [{ ...participant.data }],
    },
  });
}

/** One aggregated record per participant per minute. `date_time` is the end of the sampled minute. */
export function participantQosBody(ctx: TrafficContext, meetingIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant, random } = subject(ctx, 0x9005, meetingIndex, participantIndex, timeMs);
  return envelope(ctx, 'meeting.participant_qos', timeMs, {
    uuid: meeting.uuid,
    participant: {
      user_id: participant.participantId,
      participant_user_id: participant.participantUserId,
      email: participant.email,
      qos: participantQosItems(random, meeting, participant, zoomDateTime(timeMs)),
    },
  });
}

/** Sent once when the participant leaves. */
export function participantQosSummaryBody(ctx: TrafficContext, meetingIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant, random } = subject(ctx, 0x5e55, meetingIndex, participantIndex, timeMs);
  return envelope(ctx, 'meeting.participant_qos_summary', timeMs, {
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

/** Sent once when the participant leaves; carries `device_detail` and `client` on top of the join data. */
export function participantDataSummaryBody(ctx: TrafficContext, meetingIndex: number, participantIndex: number, timeMs: number): QssEventBody {
  const { meeting, participant } = subject(ctx, 0xda75, meetingIndex, participantIndex, timeMs);
  return envelope(ctx, 'meeting.participant_data_summary', timeMs, {
    uuid: meeting.uuid,
    id: meeting.id,
    participant: {
      participant_id: participant.participantId,
      participant_user_id: participant.participantUserId,
      email: participant.email,
      data: [{ ...participant.data, device_detail: participant.deviceDetail, client: participant.client }],
    },
  });
}
