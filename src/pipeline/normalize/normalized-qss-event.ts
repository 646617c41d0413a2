// What the decode + normalize stages make of one Zoom body (normalize-qss-event.ts for QSS events,
// normalize-phone-call-qos.ts for the phone's): the result type both produce. Types only.
import type { ParticipantDimensions, ParticipantKey } from './participant-dimensions.ts';
import type { QosSample, SkippedField } from './qos-sample.ts';

export type InvalidReason =
  | 'not_an_object'
  | 'missing_event'
  | 'missing_object'
  | 'missing_account_id'
  | 'missing_instance_id'
  | 'missing_participant'
  | 'missing_participant_id'
  | 'missing_qos'
  | 'missing_data';

/** Whether the participant's dimensions were joined (set only when a lookup was given). */
export type Enrichment = 'enriched' | 'not_found' | 'unkeyed';

/** The enrich stage's lookup: the cached `*_data` dimensions of a participant, if any. */
export type DimensionLookup = (key: ParticipantKey) => Readonly<Record<string, string>> | undefined;

/** Attribute name → values of the event cut to the length cap (only when one was). */
export type CutValues = Readonly<Record<string, number>>;

export type NormalizedQssEvent =
  | { kind: 'qos'; event: string; samples: QosSample[]; skipped: SkippedField[]; enrichment?: Enrichment; cut?: CutValues }
  | { kind: 'dimensions'; event: string; records: ParticipantDimensions[]; cut?: CutValues }
  | { kind: 'unsupported'; event: string }
  | { kind: 'invalid'; event?: string; reason: InvalidReason };
