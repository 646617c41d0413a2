// A realistic corpus of QSS bodies for the benchmarks, generated with the simulator's seeded
// generators: mostly meeting.participant_qos with all its qos types, some participant_data, a few
// summaries, plus the phone/session/webinar fixtures. Same seed, same corpus.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createTrafficContext,
  participantDataBody,
  participantDataSummaryBody,
  participantQosBody,
  participantQosSummaryBody,
} from '../../src/simulate/qss-traffic.ts';
import { createSeededRandom, mixSeed } from '../../src/simulate/seeded-random.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MEETINGS = 100;
const PARTICIPANTS = 25;
const EVENTS_PER_MINUTE = 2500; // 100 meetings × 25 participants, one qos record each per minute

/** Phone, session and webinar bodies come from the fixtures (the simulator only makes meeting events). */
function fixtureBodies(): Record<string, unknown>[] {
  const dir = join(ROOT, 'test/fixtures/zoom');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && /^(phone|session|webinar)\./.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);
}

/** `n` bodies as JSON strings, their times spread from `t0Ms` at Zoom's per-minute cadence. */
export function buildQssCorpus(n: number, seed: number, t0Ms: number): string[] {
  const ctx = createTrafficContext(seed);
  const random = createSeededRandom(mixSeed(seed, 0xbe7c));
  const fixtures = fixtureBodies();
  const corpus: string[] = [];
  for (let i = 0; i < n; i++) {
    const meeting = random.int(0, MEETINGS - 1);
    const participant = random.int(0, PARTICIPANTS - 1);
    const timeMs = t0Ms + Math.floor(i / EVENTS_PER_MINUTE) * 60_000 + random.int(0, 59_999);
    const r = random.next();
    let body: unknown;
    if (r < 0.8) body = participantQosBody(ctx, meeting, participant, timeMs);
    else if (r < 0.9) body = participantDataBody(ctx, meeting, participant, timeMs);
    else if (r < 0.93) body = participantQosSummaryBody(ctx, meeting, participant, timeMs);
    else if (r < 0.96) body = participantDataSummaryBody(ctx, meeting, participant, timeMs);
    else body = { ...random.pick(fixtures), event_ts: timeMs };
    corpus.push(JSON.stringify(body));
  }
  return corpus;
}
