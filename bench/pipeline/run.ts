// bench/pipeline: the worker's decode + normalize stages on a realistic corpus of QSS bodies, next to
// a bare JSON.parse of the same bytes, in the same process and run. The corpus is generated up front
// with the simulator's seeded generators (mostly meeting.participant_qos with all its qos types, some
// participant_data, a few summaries) plus the phone/session/webinar fixtures, serialised to JSON
// strings (what the worker receives). Then, alternating after a warm-up: (a) JSON.parse of every
// string; (b) JSON.parse + normalizeQssEvent of every string. Prints events/s, samples/s, µs per
// event and the ratio pipeline / baseline (median of the rounds), then profiles the pipeline loop
// with node:inspector and prints the top functions by self time.
// Not a test: nothing passes or fails on timings.
//
//   npm run bench:pipeline [-- --events 20000 --seconds 3 --rounds 3 --profile-seconds 2 --seed 1]
import { readdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Profiler, Runtime } from 'node:inspector';
import { findSourceMap } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { normalizeQssEvent } from '../../src/pipeline/normalize/normalize-qss-event.ts';
import {
  createTrafficContext,
  participantDataBody,
  participantDataSummaryBody,
  participantQosBody,
  participantQosSummaryBody,
} from '../../src/simulate/qss-traffic.ts';
import { createSeededRandom, mixSeed } from '../../src/simulate/seeded-random.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SELF = relative(ROOT, fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    'profile-seconds': { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
  },
});
const EVENTS = Number(args.events);
const SECONDS = Number(args.seconds); // measured time per loop, split over the rounds
const ROUNDS = Number(args.rounds);
const PROFILE_SECONDS = Number(args['profile-seconds']);
const SEED = Number(args.seed);
const T0 = Date.UTC(2025, 0, 15, 14, 0, 0);
const MEETINGS = 100;
const PARTICIPANTS = 25;
const EVENTS_PER_MINUTE = 2500; // 100 meetings × 25 participants, one qos record each per minute

// ---- corpus ---------------------------------------------------------------------------------

/** Phone, session and webinar bodies come from the fixtures (the simulator only makes meeting events). */
function fixtureBodies(): Record<string, unknown>[] {
  const dir = join(ROOT, 'test/fixtures/zoom');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && /^(phone|session|webinar)\./.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);
}

function buildCorpus(n: number): string[] {
  const ctx = createTrafficContext(SEED);
  const random = createSeededRandom(mixSeed(SEED, 0xbe7c));
  const fixtures = fixtureBodies();
  const corpus: string[] = [];
  for (let i = 0; i < n; i++) {
    const meeting = random.int(0, MEETINGS - 1);
    const participant = random.int(0, PARTICIPANTS - 1);
    const timeMs = T0 + Math.floor(i / EVENTS_PER_MINUTE) * 60_000 + random.int(0, 59_999);
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

// ---- the two loops ----------------------------------------------------------------------------
// Both loops walk the corpus with a cursor (wrapping round) and look at the clock every CHUNK events,
// so a round lasts the time asked for whatever the corpus size. Both consume what they produce.

const CHUNK = 256;

/** The decode stage: bytes (here a string) → JSON. A named function so the profile shows it. */
function decodeBody(s: string): unknown {
  return JSON.parse(s);
}

interface Round {
  seconds: number;
  events: number;
  samples: number;
  /** Consumed so the work cannot be optimised away; printed at the end. */
  check: number;
}

function baselineLoop(corpus: readonly string[], seconds: number): Round {
  let i = 0;
  let events = 0;
  let check = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    for (let k = 0; k < CHUNK; k++) {
      const body = decodeBody(corpus[i]!) as { event?: unknown };
      if (typeof body.event === 'string') check += body.event.length;
      i = i + 1 === corpus.length ? 0 : i + 1;
    }
    events += CHUNK;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < seconds);
  return { seconds: elapsed, events, samples: 0, check };
}

function pipelineLoop(corpus: readonly string[], seconds: number, receivedAtMs: number): Round {
  let i = 0;
  let events = 0;
  let samples = 0;
  let check = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    for (let k = 0; k < CHUNK; k++) {
      const out = normalizeQssEvent(decodeBody(corpus[i]!), receivedAtMs);
      if (out.kind === 'qos') {
        samples += out.samples.length;
        check += out.skipped.length;
        const last = out.samples[out.samples.length - 1];
        if (last !== undefined && last.value > 0) check += 1;
      } else if (out.kind === 'dimensions') {
        check += out.records.length;
      } else {
        check += 1000;
      }
      i = i + 1 === corpus.length ? 0 : i + 1;
    }
    events += CHUNK;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < seconds);
  return { seconds: elapsed, events, samples, check };
}

// ---- profile ---------------------------------------------------------------------------------

/** `file:function`; anonymous functions get their line in the .ts source (tsx's source maps). */
function frameLabel(frame: Runtime.CallFrame): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : `(native) ${frame.functionName}`;
  let file = frame.url;
  if (file.startsWith('file://')) {
    const path = fileURLToPath(file);
    file = path.startsWith(ROOT) ? relative(ROOT, path) : path;
  }
  if (frame.functionName !== '') return `${file}:${frame.functionName}`;
  let line = frame.lineNumber;
  try {
    const entry = findSourceMap(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry !== undefined && 'originalLine' in entry) line = entry.originalLine;
  } catch {
    // no source map: keep the generated line
  }
  return line < 0 ? `${file}:(top level)` : `${file}:(anonymous, line ${line + 1})`;
}

async function profilePipeline(corpus: readonly string[], receivedAtMs: number): Promise<{ profile: Profiler.Profile; round: Round }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 }); // µs
  await session.post('Profiler.start');
  const round = pipelineLoop(corpus, PROFILE_SECONDS, receivedAtMs);
  const { profile } = await session.post('Profiler.stop');
  await session.post('Profiler.disable');
  session.disconnect();
  return { profile, round };
}

function selfTimeTop(profile: Profiler.Profile, n: number): { byFunction: [string, number][]; byFile: [string, number][]; total: number } {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    // This file's frames are the loop itself: JSON.parse (a builtin, counted in its caller) and the
    // loop's bookkeeping. V8 also counts inlined functions (decodeBody, pipelineLoop) in their caller.
    const raw = frameLabel(node.callFrame);
    const label = raw.startsWith(SELF) ? `${SELF}: the loop, i.e. JSON.parse + bookkeeping` : raw;
    byFunction.set(label, (byFunction.get(label) ?? 0) + hits);
    const file = label.startsWith('(') ? label.replace(/^\(native\) .*/, '(native: builtins, regexps)') : raw.slice(0, raw.lastIndexOf(':'));
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, k: number): [string, number][] => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
  return { byFunction: top(byFunction, n), byFile: top(byFile, 6), total };
}

// ---- main ------------------------------------------------------------------------------------

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const t = performance.now();
  const corpus = buildCorpus(EVENTS);
  const buildSeconds = (performance.now() - t) / 1000;
  const receivedAtMs = T0 + 3_600_000;
  const bytes = corpus.reduce((sum, s) => sum + Buffer.byteLength(s), 0);

  // One pipeline pass over the whole corpus: what it holds (and the first part of the warm-up).
  const mix = new Map<string, number>();
  const kinds = new Map<string, number>();
  let corpusSamples = 0;
  let corpusSkipped = 0;
  for (const s of corpus) {
    const body = decodeBody(s) as { event: string };
    mix.set(body.event, (mix.get(body.event) ?? 0) + 1);
    const out = normalizeQssEvent(body, receivedAtMs);
    kinds.set(out.kind, (kinds.get(out.kind) ?? 0) + 1);
    if (out.kind === 'qos') {
      corpusSamples += out.samples.length;
      corpusSkipped += out.skipped.length;
    }
  }
  const samplesPerEvent = corpusSamples / EVENTS;
  console.log(`corpus: ${EVENTS} events (generated in ${buildSeconds.toFixed(1)} s), ${(bytes / 1e6).toFixed(1)} MB, mean ${(bytes / EVENTS).toFixed(0)} B/event; ${corpusSamples} samples (${samplesPerEvent.toFixed(1)}/event), ${corpusSkipped} skipped fields`);
  console.log(`  ${[...mix.entries()].sort((a, b) => b[1] - a[1]).map(([e, c]) => `${e} ${c}`).join(', ')}`);
  console.log(`  normalize results: ${[...kinds.entries()].map(([k, c]) => `${k} ${c}`).join(', ')}`);
  const perRound = SECONDS / ROUNDS;
  console.log(`node ${process.version}; ${ROUNDS} rounds × ${perRound.toFixed(2)} s per loop, alternating, after a warm-up; median round\n`);

  let check = 0;
  check += baselineLoop(corpus, 0.5).check;
  check += pipelineLoop(corpus, 0.5, receivedAtMs).check;

  const baseline: Round[] = [];
  const pipeline: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    baseline.push(baselineLoop(corpus, perRound));
    pipeline.push(pipelineLoop(corpus, perRound, receivedAtMs));
  }
  for (const r of [...baseline, ...pipeline]) check += r.check;

  const b = median(baseline.map((r) => r.events / r.seconds));
  const p = median(pipeline.map((r) => r.events / r.seconds));
  const pSamples = median(pipeline.map((r) => r.samples / r.seconds));
  const all = (rs: Round[]): string => rs.map((r) => (r.events / r.seconds).toFixed(0)).join(' / ');
  const row = (name: string, eps: number, sps: number, rounds: string): string =>
    `${name.padEnd(32)} ${eps.toFixed(0).padStart(7)} events/s ${sps.toFixed(0).padStart(9)} samples/s ${(1e6 / eps).toFixed(1).padStart(6)} µs/event   (rounds, events/s: ${rounds})`;
  console.log(row('(a) JSON.parse (baseline)', b, b * samplesPerEvent, all(baseline)));
  console.log(row('(b) JSON.parse + normalize', p, pSamples, all(pipeline)));
  const normalizeUs = 1e6 / p - 1e6 / b;
  console.log(`\nratio pipeline / baseline (events/s): ${(p / b).toFixed(2)}`);
  console.log(`normalize alone (b − a): ${normalizeUs.toFixed(1)} µs/event, ${(normalizeUs / samplesPerEvent).toFixed(2)} µs/sample`);
  console.log(`project goal, whole worker once enrich and map are added: ratio >= 0.3 (this run: decode + normalize only)`);
  console.log(`(a)'s samples/s: the samples its events carry, at (a)'s event rate; it does not produce them`);

  const { profile, round } = await profilePipeline(corpus, receivedAtMs);
  const top = selfTimeTop(profile, 10);
  const ms = (profile.endTime - profile.startTime) / 1000;
  console.log(`\nthe profile's top costs — loop (b) under node:inspector, ${ms.toFixed(0)} ms, ${round.events} events (${(round.events / round.seconds).toFixed(0)} events/s while profiling), ${top.total} ticks, by self time:`);
  for (const [label, hits] of top.byFunction) console.log(`  ${((hits / top.total) * 100).toFixed(1).padStart(5)} %  ${label}`);
  console.log(`by file:`);
  for (const [file, hits] of top.byFile) console.log(`  ${((hits / top.total) * 100).toFixed(1).padStart(5)} %  ${file}`);
  console.log(`(JSON.parse is a builtin, counted in its caller (this file); in (a)/(b) above it was ${((1e6 / b / (1e6 / p)) * 100).toFixed(0)} % of (b)'s µs/event)`);
  console.log(`(check ${check + round.check})`);
}

await main();
