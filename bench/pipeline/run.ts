// bench/pipeline: the worker's stages on a realistic corpus of QSS bodies, next to a bare JSON.parse
// of the same bytes, in the same process and run. The corpus is generated up front with the
// simulator's seeded generators (bench/support/qss-corpus.ts: mostly meeting.participant_qos with all
// its qos types, some participant_data, a few summaries, plus the phone/session/webinar fixtures) as
// bus records (the body as bytes, what the worker receives). Then, alternating after a warm-up:
// (a) decode (bytes → JSON.parse) of every record; (b) decode + normalizeQssEvent; (c) the whole
// worker pipeline of a metric sink — decode → normalize → enrich (participant dimension cache) →
// route → map to the default catalogue (prepareSinkBatch, batches of 256). Prints events/s,
// samples/s, µs per event and the ratios to (a) (median of the rounds), then profiles loop (c) with
// node:inspector and prints the top functions by self time.
// Not a test: nothing passes or fails on timings.
//
//   npm run bench:pipeline [-- --events 20000 --seconds 3 --rounds 3 --profile-seconds 2 --seed 1]
import { Session } from 'node:inspector/promises';
import type { Profiler, Runtime } from 'node:inspector';
import { findSourceMap } from 'node:module';
import { relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BusRecord } from '../../src/bus/bus.ts';
import { parseForwarderConfig, parseSinksConfig } from '../../src/config/load-config.ts';
import { compileSinkPipelines } from '../../src/pipeline/compile-sink-pipelines.ts';
import { participantDimensionCacheOptions } from '../../src/pipeline/enrich/enrichment-config.ts';
import { createParticipantDimensionCache } from '../../src/pipeline/enrich/participant-dimension-cache.ts';
import { normalizeQssEvent } from '../../src/pipeline/normalize/normalize-qss-event.ts';
import { prepareSinkBatch, type SinkPipeline } from '../../src/pipeline/prepare-sink-batch.ts';
import { buildQssCorpus } from '../support/qss-corpus.ts';

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
/** forwarder.yaml's defaults: the worker's value cap and cache bounds, as a worker runs them. */
const DEFAULTS = (() => {
  const parsed = parseForwarderConfig('bench', '{}', {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
})();
const MAX_VALUE_CHARS = DEFAULTS.worker.max_attribute_value_chars;
const SECONDS = Number(args.seconds); // measured time per loop, split over the rounds
const ROUNDS = Number(args.rounds);
const PROFILE_SECONDS = Number(args['profile-seconds']);
const SEED = Number(args.seed);
const T0 = Date.UTC(2025, 0, 15, 14, 0, 0);

// ---- the three loops --------------------------------------------------------------------------
// Both loops walk the corpus with a cursor (wrapping round) and look at the clock every CHUNK events,
// so a round lasts the time asked for whatever the corpus size. Both consume what they produce.

const CHUNK = 256;

/** The decode stage: bytes → JSON. A named function so the profile shows it. */
function decodeBody(b: Buffer): unknown {
  return JSON.parse(b.toString('utf8'));
}

/** Bus records of the corpus: what a worker is handed. */
function toRecords(corpus: readonly string[], receivedAtMs: number): BusRecord[] {
  return corpus.map((text, i) => {
    const event = (JSON.parse(text) as { event: string }).event;
    const account = /"account_id":"([^"]*)"/.exec(text)?.[1];
    return { id: String(i + 1), body: Buffer.from(text), meta: { app: 'default', event, accountId: account, receivedAt: receivedAtMs } };
  });
}

/** A metric sink with the default catalogue (what the issue's goal measures), compiled from sinks.yaml. */
function metricSinkPipeline(): SinkPipeline {
  const parsed = parseSinksConfig('bench', JSON.stringify({ sinks: { s: { type: 'blackhole', data: 'metrics' } } }), {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return compileSinkPipelines(parsed.value).get('s')!;
}

interface Round {
  seconds: number;
  events: number;
  samples: number;
  /** Consumed so the work cannot be optimised away; printed at the end. */
  check: number;
}

function baselineLoop(corpus: readonly BusRecord[], seconds: number): Round {
  let i = 0;
  let events = 0;
  let check = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    for (let k = 0; k < CHUNK; k++) {
      const body = decodeBody(corpus[i]!.body) as { event?: unknown };
      if (typeof body.event === 'string') check += body.event.length;
      i = i + 1 === corpus.length ? 0 : i + 1;
    }
    events += CHUNK;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < seconds);
  return { seconds: elapsed, events, samples: 0, check };
}

function normalizeLoop(corpus: readonly BusRecord[], seconds: number, receivedAtMs: number): Round {
  let i = 0;
  let events = 0;
  let samples = 0;
  let check = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    for (let k = 0; k < CHUNK; k++) {
      const out = normalizeQssEvent(decodeBody(corpus[i]!.body), receivedAtMs, undefined, MAX_VALUE_CHARS);
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

function workerLoop(corpus: readonly BusRecord[], seconds: number, pipeline: SinkPipeline, cache: ReturnType<typeof createParticipantDimensionCache>): Round {
  let i = 0;
  let events = 0;
  let samples = 0;
  let check = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    const end = Math.min(i + CHUNK, corpus.length);
    const out = prepareSinkBatch(corpus.slice(i, end), pipeline, { cache, nowMs: Date.now(), maxAttributeValueChars: MAX_VALUE_CHARS });
    samples += out.points.length;
    check += out.delivering.length + out.rejected.length;
    events += end - i;
    i = end === corpus.length ? 0 : end;
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

async function profileWorker(corpus: readonly BusRecord[], pipeline: SinkPipeline, cache: ReturnType<typeof createParticipantDimensionCache>): Promise<{ profile: Profiler.Profile; round: Round }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 }); // µs
  await session.post('Profiler.start');
  const round = workerLoop(corpus, PROFILE_SECONDS, pipeline, cache);
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
  const strings = buildQssCorpus(EVENTS, SEED, T0);
  const buildSeconds = (performance.now() - t) / 1000;
  const receivedAtMs = T0 + 3_600_000;
  const corpus = toRecords(strings, receivedAtMs);
  const bytes = corpus.reduce((sum, r) => sum + r.body.length, 0);
  const pipeline = metricSinkPipeline();
  const cache = createParticipantDimensionCache(participantDimensionCacheOptions(DEFAULTS.enrichment, Date.now));

  // One pass over the whole corpus: what it holds (and the first part of the warm-up).
  const mix = new Map<string, number>();
  const kinds = new Map<string, number>();
  let corpusSamples = 0;
  let corpusSkipped = 0;
  for (const r of corpus) {
    const body = decodeBody(r.body) as { event: string };
    mix.set(body.event, (mix.get(body.event) ?? 0) + 1);
    const out = normalizeQssEvent(body, receivedAtMs, undefined, MAX_VALUE_CHARS);
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
  check += normalizeLoop(corpus, 0.5, receivedAtMs).check;
  check += workerLoop(corpus, 1, pipeline, cache).check;

  const baseline: Round[] = [];
  const normalize: Round[] = [];
  const worker: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    baseline.push(baselineLoop(corpus, perRound));
    normalize.push(normalizeLoop(corpus, perRound, receivedAtMs));
    worker.push(workerLoop(corpus, perRound, pipeline, cache));
  }
  for (const r of [...baseline, ...normalize, ...worker]) check += r.check;

  const eps = (rs: Round[]): number => median(rs.map((r) => r.events / r.seconds));
  const sps = (rs: Round[]): number => median(rs.map((r) => r.samples / r.seconds));
  const [a, b, c] = [eps(baseline), eps(normalize), eps(worker)];
  const all = (rs: Round[]): string => rs.map((r) => (r.events / r.seconds).toFixed(0)).join(' / ');
  const row = (name: string, e: number, s: number, rounds: string): string =>
    `${name.padEnd(44)} ${e.toFixed(0).padStart(7)} events/s ${s.toFixed(0).padStart(9)} samples/s ${(1e6 / e).toFixed(1).padStart(6)} µs/event   (rounds: ${rounds})`;
  console.log(row('(a) decode: JSON.parse (baseline)', a, a * samplesPerEvent, all(baseline)));
  console.log(row('(b) decode + normalize', b, sps(normalize), all(normalize)));
  console.log(row('(c) decode + normalize + enrich + route + map', c, sps(worker), all(worker)));
  console.log(`\nratio (c) / (a), the whole pipeline: ${(c / a).toFixed(2)}   (project goal >= 0.3)`);
  console.log(`ratio (b) / (a), normalize only: ${(b / a).toFixed(2)}`);
  console.log(`normalize alone (b − a): ${(1e6 / b - 1e6 / a).toFixed(1)} µs/event; enrich + route + map (c − b): ${(1e6 / c - 1e6 / b).toFixed(1)} µs/event`);
  console.log(`(a)'s samples/s: the samples its events carry, at (a)'s event rate; it does not produce them. (c)'s are metric points.`);

  const { profile, round } = await profileWorker(corpus, pipeline, cache);
  const top = selfTimeTop(profile, 12);
  const ms = (profile.endTime - profile.startTime) / 1000;
  console.log(`\nthe profile's top costs — loop (c) under node:inspector, ${ms.toFixed(0)} ms, ${round.events} events (${(round.events / round.seconds).toFixed(0)} events/s while profiling), ${top.total} ticks, by self time:`);
  for (const [label, hits] of top.byFunction) console.log(`  ${((hits / top.total) * 100).toFixed(1).padStart(5)} %  ${label}`);
  console.log(`by file:`);
  for (const [file, hits] of top.byFile) console.log(`  ${((hits / top.total) * 100).toFixed(1).padStart(5)} %  ${file}`);
  console.log(`(JSON.parse is a builtin, counted in its caller; in the runs above decode was ${((1e6 / a / (1e6 / c)) * 100).toFixed(0)} % of (c)'s µs/event)`);
  console.log(`(check ${check + round.check})`);
}

await main();
