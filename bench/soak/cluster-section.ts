// Prints the "On a real 3-node Kafka cluster" section of docs/reliability.md (and writes its charts
// to docs/reliability/cluster-*.svg) from the Kafka fault runs in bench/soak/results: the runs of
//   npm run bench:soak -- --scenario kill-leader,stall-leader,kill-worker,kill-ingress,broker-down --seconds 600 --rate 100
// make-report.ts writes the whole page from a full set of runs; this writes the one section, for
// when only the Kafka runs were repeated.
//
//   node --import tsx bench/soak/cluster-section.ts
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { perProcessSummary, type SoakReport } from './run-soak.ts';
import { answeringAgainCell, backlogSeries, backToNormalCell, errorRate, faultCell, latency, maxBacklog, maxDuplicates, p99Series, seconds } from './soak-report-cells.ts';
import { lineChartSvg, type ChartSeries } from './svg-chart.ts';

const RESULTS = join(import.meta.dirname, 'results');
const CHARTS = join(import.meta.dirname, '../../docs/reliability');
const ORDER = ['kill-leader', 'stall-leader', 'kill-worker', 'kill-ingress', 'broker-down'];
const runs = readdirSync(RESULTS)
  .filter((f) => ORDER.includes(f.replace(/\.json$/, '')))
  .map((f) => JSON.parse(readFileSync(join(RESULTS, f), 'utf8')) as SoakReport)
  .filter((r) => r.bus === 'kafka')
  .sort((a, b) => ORDER.indexOf(a.scenario) - ORDER.indexOf(b.scenario));
const out = [
  '| scenario | fault | for | events acked | Zoom retries | ack p50 / p99 / max | errors | max lag | ingress answering again | lag back to normal | lost | duplicates at a sink |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const r of runs) {
  out.push(`| ${r.scenario} | ${faultCell(r)} | ${seconds(r.simulate.durationMs)} | ${r.simulate.events.acked} | ${r.simulate.requests.retries} | ${latency(r)} | ${errorRate(r)} | ${maxBacklog(r)} | ${answeringAgainCell(r)} | ${backToNormalCell(r)} | **${r.lost}** | ${maxDuplicates(r)} |`);
}
out.push('', 'Per sink (expected = acknowledged; metric sinks: the QoS events):', '', '| scenario | ' + ['archive', 'hec', 'otel', 'dd'].map((x) => `${x} delivered / expected`).join(' | ') + ' | per process |', '| --- | --- | --- | --- | --- | --- |');
for (const r of runs) out.push(`| ${r.scenario} | ${['archive', 'hec', 'otel', 'dd'].map((x) => { const a = r.accounts.find((c) => c.sink === x); return a ? `${a.delivered} / ${a.expected}` : '—'; }).join(' | ')} | ${perProcessSummary(r.samples)} |`);
mkdirSync(CHARTS, { recursive: true });
const chart = (file: string, title: string, y: string, series: ChartSeries[]): string => {
  writeFileSync(join(CHARTS, file), lineChartSvg(title, 'seconds since the traffic started', y, series, { w: 760, h: 320 }));
  return `![${title}](reliability/${file})`;
};
out.push(
  '',
  chart('cluster-ack-latency.svg', 'Ack latency p99 per second (3-node Kafka cluster, faults at 300 s)', 'ms', p99Series(runs)),
  '',
  chart('cluster-lag.svg', 'Consumer lag, all sinks (3-node Kafka cluster, faults at 300 s)', 'records', backlogSeries(runs)),
);
console.log(out.join('\n'));
