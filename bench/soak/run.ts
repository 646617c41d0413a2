// bench/soak: runs the named scenarios of scenarios.ts through the whole system and prints, per
// scenario, the accounting table (delivered, dead-lettered, missing — missing must be 0) and the
// figures: acks, retries, ack latency, RSS/CPU per process, consumer lag. Writes each report to
// bench/soak/results/<scenario>.json (docs/reliability.md is written from those).
//
//   npm run bench:soak -- [--scenario kill-worker,sink-503] [--seconds 60] [--rate 100]
//                         [--capacity measure|N] [--load-seconds S] [--probe-seconds 30]
// The fault scenarios (first) send at --rate events/s for --seconds. Then load-50/100/150 send at that share of
// the ingress's capacity for --load-seconds (default --seconds): measured first by a probe
// (capacityProbe, written to results/capacity.json, after its in-run baseline: the same simulator
// at a bare node:http + HMAC + JSON.parse server, results/baseline.json) unless --capacity gives a
// number. `--scenario baseline` runs the baseline alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { perProcessSummary, runSoak, type Scenario, type SoakReport } from './run-soak.ts';
import { runBareBaseline } from './run-bare-baseline.ts';
import { capacityProbe, scenarios } from './scenarios.ts';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '100' },
    capacity: { type: 'string', default: 'measure' },
    'load-seconds': { type: 'string' },
    'probe-seconds': { type: 'string', default: '30' },
  },
});
const seconds = Number(args.seconds);
const wanted = (name: string): boolean => args.scenario === undefined || args.scenario.split(',').includes(name);
const outDir = join(import.meta.dirname, 'results');
mkdirSync(outDir, { recursive: true });

/** The probe's in-run baseline: the same simulator at a bare node:http + HMAC + JSON.parse server. */
async function measureBaseline(): Promise<void> {
  const probe = capacityProbe(Number(args['probe-seconds']));
  const baseline = await runBareBaseline(probe.simulate);
  writeFileSync(join(outDir, 'baseline.json'), `${JSON.stringify(baseline, null, 1)}\n`);
  console.log(`## baseline\nbare node:http + HMAC + JSON.parse acked ${baseline.simulate.events.acked} events in ${(baseline.simulate.durationMs / 1000).toFixed(1)} s: ${Math.round(baseline.simulate.events.acked / (baseline.simulate.durationMs / 1000))} events/s (ack p50 ${baseline.simulate.ackLatencyMs.p50} ms, p99 ${baseline.simulate.ackLatencyMs.p99} ms)\n`);
}

/** Acks per second the ingress sustained under the probe's unbounded offered load (after its baseline). */
async function measureCapacity(): Promise<number> {
  await measureBaseline();
  const report = await runSoak(capacityProbe(Number(args['probe-seconds'])));
  writeFileSync(join(outDir, 'capacity.json'), `${JSON.stringify(report, null, 1)}\n`);
  const perSecond = Math.round(report.simulate.events.acked / (report.simulate.durationMs / 1000));
  console.log(`## capacity probe\ningress acked ${report.simulate.events.acked} events in ${(report.simulate.durationMs / 1000).toFixed(1)} s at full offered load: ${perSecond} events/s (ack p50 ${report.simulate.ackLatencyMs.p50} ms, p99 ${report.simulate.ackLatencyMs.p99} ms)\n`);
  return perSecond;
}

const isLoad = (name: string): boolean => name.startsWith('load-');
/** The fault scenarios first; then (when any is chosen) the capacity and the load runs at shares of it. */
function faultScenarios(): Scenario[] {
  return scenarios(seconds, Number(args.rate)).filter((s) => !isLoad(s.name) && wanted(s.name));
}
async function loadScenarios(): Promise<Scenario[]> {
  if (!scenarios(seconds, Number(args.rate)).some((s) => isLoad(s.name) && wanted(s.name))) return [];
  const capacity = args.capacity === 'measure' ? await measureCapacity() : Number(args.capacity);
  return scenarios(seconds, Number(args.rate), capacity, Number(args['load-seconds'] ?? seconds)).filter((s) => isLoad(s.name) && wanted(s.name));
}

function summary(r: SoakReport): string {
  const lines = [
    `## ${r.scenario}`,
    `simulated: ${r.simulate.events.generated} events, acked ${r.simulate.events.acked}, abandoned ${r.simulate.events.abandoned}; requests ${r.simulate.requests.sent} (retries ${r.simulate.requests.retries}, network errors ${r.simulate.requests.networkErrors}); statuses ${JSON.stringify(r.simulate.requests.byStatus)}`,
    `ack latency ms: p50 ${r.simulate.ackLatencyMs.p50}, p99 ${r.simulate.ackLatencyMs.p99}, max ${r.simulate.ackLatencyMs.max}; max lag ${Math.max(0, ...r.lag.map((l) => l.records))} records; wall ${(r.wallMs / 1000).toFixed(1)} s`,
    perProcessSummary(r.samples),
    '| sink | expected | delivered | dead-lettered | missing | duplicates |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.accounts.map((a) => `| ${a.sink} (${a.kind}) | ${a.expected} | ${a.delivered} | ${Object.entries(a.deadLettered).map(([k, v]) => `${v} ${k}`).join(', ') || 0} | ${a.missing} | ${a.duplicates} |`),
    r.lost === 0 ? 'LOST: 0' : `LOST: ${r.lost} — e.g. ${r.accounts.flatMap((a) => a.missingKeys.slice(0, 3)).join(', ')}`,
  ];
  return lines.join('\n');
}

if (args.scenario?.split(',').includes('baseline')) await measureBaseline();
let failed = 0;
for await (const s of (async function* () {
  yield* faultScenarios();
  yield* await loadScenarios();
})()) {
  const report = await runSoak(s);
  writeFileSync(join(outDir, `${s.name}.json`), `${JSON.stringify(report, null, 1)}\n`);
  console.log(`${summary(report)}\n`);
  if (report.lost > 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
