// Prints the "On a real 3-node Kafka cluster" section of docs/reliability.md (and writes its charts
// to docs/reliability/cluster-*.svg) from the Kafka fault runs in bench/soak/results: the runs of
//   npm run bench:soak -- --scenario kill-leader,stall-leader,kill-worker,kill-ingress,broker-down --seconds 600 --rate 100
// make-report.ts writes the whole page from a full set of runs; this writes the one section, for
// when only the Kafka runs were repeated.
//
//   node --import tsx bench/soak/cluster-section.ts
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { answeringAgainMs, backlogNormalMs } from './recovery-times.ts';
import { perProcessSummary, type SoakReport } from './run-soak.ts';
import { lineChartSvg } from './svg-chart.ts';

const RESULTS = join(import.meta.dirname, 'results');
const CHARTS = join(import.meta.dirname, '../../docs/reliability');
const ORDER = ['kill-leader', 'stall-leader', 'kill-worker', 'kill-ingress', 'broker-down'];
const runs = readdirSync(RESULTS)
  .filter((f) => ORDER.includes(f.replace(/\.json$/, '')))
  .map((f) => JSON.parse(readFileSync(join(RESULTS, f), 'utf8')) as SoakReport)
  .filter((r) => r.bus === 'kafka')
  .sort((a, b) => ORDER.indexOf(a.scenario) - ORDER.indexOf(b.scenario));
const s = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const errors = (r: SoakReport): string => {
  const q = r.simulate.requests;
  const bad = Object.entries(q.byStatus).filter(([k]) => !k.startsWith('2')).reduce((n, [, c]) => n + c, 0) + q.networkErrors;
  return `${((100 * bad) / Math.max(1, q.sent)).toFixed(2)} %`;
};
const out = [
  '| scenario | fault | for | events acked | Zoom retries | ack p50 / p99 / max | errors | max lag | ingress answering again | lag back to normal | lost | duplicates at a sink |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const r of runs) {
  const fault = r.faultWindows.map((w) => (w.label.startsWith('SIGKILL') ? `${w.label}, started again after ${s(w.endMs - w.startMs)}` : `${w.label} (${s(w.endMs - w.startMs)})`)).join('; ');
  const normal = backlogNormalMs(r.faultWindows, r.lag);
  const first = Math.min(...r.faultWindows.map((w) => w.startMs));
  out.push(`| ${r.scenario} | ${fault} | ${s(r.simulate.durationMs)} | ${r.simulate.events.acked} | ${r.simulate.requests.retries} | ${r.simulate.ackLatencyMs.p50} / ${r.simulate.ackLatencyMs.p99} / ${r.simulate.ackLatencyMs.max} ms | ${errors(r)} | ${Math.max(0, ...r.lag.map((l) => l.records))} | ${s(answeringAgainMs(r.faultWindows, r.acks ?? []))} | ${normal !== undefined ? s(normal) : r.lost === 0 ? `≤ ${s(r.drainedMs - first)} (every event found)` : '—'} | **${r.lost}** | ${Math.max(0, ...r.accounts.map((a) => a.duplicates))} |`);
}
out.push('', 'Per sink (expected = acknowledged; metric sinks: the QoS events):', '', '| scenario | ' + ['archive', 'hec', 'otel', 'dd'].map((x) => `${x} delivered / expected`).join(' | ') + ' | per process |', '| --- | --- | --- | --- | --- | --- |');
for (const r of runs) out.push(`| ${r.scenario} | ${['archive', 'hec', 'otel', 'dd'].map((x) => { const a = r.accounts.find((c) => c.sink === x); return a ? `${a.delivered} / ${a.expected}` : '—'; }).join(' | ')} | ${perProcessSummary(r.samples)} |`);
mkdirSync(CHARTS, { recursive: true });
const chart = (file: string, title: string, y: string, series: { label: string; points: [number, number][] }[]): string => {
  writeFileSync(join(CHARTS, file), lineChartSvg(title, 'seconds since the traffic started', y, series, { w: 760, h: 320 }));
  return `![${title}](reliability/${file})`;
};
out.push(
  '',
  chart('cluster-ack-latency.svg', 'Ack latency p99 per second (3-node Kafka cluster, faults at 300 s)', 'ms', runs.map((r) => ({ label: r.scenario, points: (r.acks ?? []).map((a) => [a.tMs / 1000, a.p99] as [number, number]) }))),
  '',
  chart('cluster-lag.svg', 'Consumer lag, all sinks (3-node Kafka cluster, faults at 300 s)', 'records', runs.map((r) => ({ label: r.scenario, points: r.lag.map((l) => [l.tMs / 1000, l.records] as [number, number]) }))),
);
console.log(out.join('\n'));
