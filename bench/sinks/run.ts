// bench/sinks: events/s per core through each sink to a local backend, next to the pipeline alone
// (decode → normalize → enrich → route → map into a blackhole sink) in the same run, as a ratio.
// The backend runs in a child process (bench/sinks/fast-receiver.ts) so that its work is not
// counted; "per core" = events per CPU-second of this process (user + system), which is what a
// worker pod's CPU request buys. Rounds alternate between the modes.
// Not a test: nothing passes or fails on timings.
//
//   npm run bench:sinks [-- --events 20000 --rounds 3 --seed 1]
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { BusRecord } from '../../src/bus/bus.ts';
import { parseSinksConfig } from '../../src/config/load-config.ts';
import { compileSinkPipelines } from '../../src/pipeline/compile-sink-pipelines.ts';
import { createParticipantDimensionCache } from '../../src/pipeline/enrich/participant-dimension-cache.ts';
import { prepareSinkBatch } from '../../src/pipeline/prepare-sink-batch.ts';
import { createSelfMetrics } from '../../src/observability/self-metrics.ts';
import { createSink } from '../../src/sinks/sink-registry.ts';
import { zoomEventMetadata } from '../../src/zoom/zoom-event-metadata.ts';
import { buildQssCorpus } from '../support/qss-corpus.ts';

const { values: args } = parseArgs({ options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, seed: { type: 'string', default: '1' }, batch: { type: 'string', default: '500' }, only: { type: 'string' } } });
const EVENTS = Number(args.events);
const ROUNDS = Number(args.rounds);
const BATCH = Number(args.batch);

async function startReceiver(): Promise<{ url: string; stats(): Promise<{ requests: number; bytes: number }>; stop(): void }> {
  const child = fork(resolve(import.meta.dirname, 'fast-receiver.ts'), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((r) => child.stdout?.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => new Promise((r) => (child.once('message', (m) => r(m as { requests: number; bytes: number })), child.send('stats'))),
    stop: () => child.kill(),
  };
}

function records(corpus: string[]): BusRecord[] {
  return corpus.map((text, i) => {
    const body = JSON.parse(text) as Record<string, unknown>;
    const m = zoomEventMetadata(body);
    return { id: String(i + 1), body: Buffer.from(text), meta: { app: 'default', event: String(body.event), accountId: m.accountId, instanceKey: m.instanceKey, receivedAt: Date.now() } };
  });
}

interface Mode {
  name: string;
  sink: object;
  /** The pipeline-only mode this one is compared with (same data kind and PII work). */
  baseline: string;
}

async function main(): Promise<void> {
  const rx = await startReceiver();
  const corpus = buildQssCorpus(EVENTS, Number(args.seed), Date.now() - 10 * 60_000); // inside Datadog's 1 h window
  const recs = records(corpus);
  const logger = pino({ level: 'silent' });
  const modes: Mode[] = [
    { name: 'pipeline only: metrics → blackhole', sink: { type: 'blackhole', data: 'metrics' }, baseline: 'metrics' },
    { name: 'pipeline only: events, PII drop → blackhole', sink: { type: 'blackhole', data: 'events', pii: { mode: 'drop' } }, baseline: 'events' },
    { name: 'otlp (metrics, gzip)', sink: { type: 'otlp', endpoint: rx.url }, baseline: 'metrics' },
    { name: 'splunk_hec (metrics, gzip)', sink: { type: 'splunk_hec', url: rx.url, token: 't', data: 'metrics' }, baseline: 'metrics' },
    { name: 'datadog (metrics, gzip, default cap 10,000 series/metric)', sink: { type: 'datadog', api_key: 'k', url: rx.url, data: 'metrics' }, baseline: 'metrics' },
    { name: 'splunk_hec (events, PII drop, gzip)', sink: { type: 'splunk_hec', url: rx.url, token: 't', data: 'events' }, baseline: 'events' },
    { name: 'datadog (logs, PII drop, gzip)', sink: { type: 'datadog', api_key: 'k', url: rx.url, data: 'events' }, baseline: 'events' },
  ];
  if (args.only !== undefined) modes.splice(2, modes.length, ...modes.filter((m, i) => i > 1 && m.name.includes(args.only as string)));
  const results = new Map<string, { events: number; cpuMs: number; wallMs: number; points: number }>();
  const signals = { stop: new AbortController().signal, abort: new AbortController().signal };
  for (let round = 0; round <= ROUNDS; round++) {
    for (const mode of modes) {
      const parsed = parseSinksConfig('bench', JSON.stringify({ sinks: { s: mode.sink } }), {});
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      const pipeline = compileSinkPipelines(parsed.value).get('s')!;
      const metrics = createSelfMetrics({ processMetrics: false });
      const sink = createSink('s', parsed.value.sinks.s!, { stdout: process.stdout, retry: { initial_backoff_ms: 100, max_backoff_ms: 1000, max_attempts: 0 }, metrics, logger });
      const cache = createParticipantDimensionCache({ maxEntries: 100_000, ttlMs: 4 * 3600_000, now: Date.now });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let points = 0;
      for (let i = 0; i < recs.length; i += BATCH) {
        const prepared = prepareSinkBatch(recs.slice(i, i + BATCH), pipeline, { cache, nowMs: Date.now() });
        points += prepared.points.length;
        const result = await sink.write({ events: prepared.events, points: prepared.points, pointRecords: prepared.pointRecords }, signals);
        if (result.status !== 'success') throw new Error(`${mode.name}: ${JSON.stringify(result).slice(0, 300)}`);
      }
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - t0;
      await sink.close();
      if (round === 0) continue; // warm-up
      const r = results.get(mode.name) ?? { events: 0, cpuMs: 0, wallMs: 0, points: 0 };
      results.set(mode.name, { events: r.events + recs.length, cpuMs: r.cpuMs + (cpu.user + cpu.system) / 1000, wallMs: r.wallMs + wallMs, points: r.points + points });
    }
  }
  const baselines = { metrics: results.get(modes[0]!.name)!, events: results.get(modes[1]!.name)! };
  const perCore = (r: { events: number; cpuMs: number }): number => r.events / (r.cpuMs / 1000);
  console.log(`bench/sinks: ${EVENTS} events × ${ROUNDS} rounds, batches of ${BATCH}; backend in a child process`);
  console.log('| mode | events/s per core | points/s per core | µs CPU per event | events/s (wall) | ratio to pipeline only |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const mode of modes) {
    const r = results.get(mode.name)!;
    const base = baselines[mode.baseline as 'metrics' | 'events'];
    console.log(`| ${mode.name} | ${Math.round(perCore(r)).toLocaleString('en')} | ${Math.round(r.points / (r.cpuMs / 1000)).toLocaleString('en')} | ${((r.cpuMs * 1000) / r.events).toFixed(1)} | ${Math.round(r.events / (r.wallMs / 1000)).toLocaleString('en')} | ${(perCore(r) / perCore(base)).toFixed(2)} |`);
  }
  const s = await rx.stats();
  console.log(`backend: ${s.requests} requests, ${(s.bytes / 1e6).toFixed(1)} MB received (compressed)`);
  // For docs/performance.md's chart (bench/soak/make-report.ts reads it).
  const rows = modes.map((m) => {
    const r = results.get(m.name)!;
    return { mode: m.name, eventsPerCore: Math.round(perCore(r)), usPerEvent: Number(((r.cpuMs * 1000) / r.events).toFixed(1)), ratio: Number((perCore(r) / perCore(baselines[m.baseline as 'metrics' | 'events'])).toFixed(2)) };
  });
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(new URL('../soak/results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../soak/results/sinks-bench.json', import.meta.url), `${JSON.stringify({ events: EVENTS, rounds: ROUNDS, rows }, null, 1)}\n`);
  rx.stop();
}

await main();
