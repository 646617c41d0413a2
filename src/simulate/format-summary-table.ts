// Text shown by `qss-forwarder simulate`: the live progress line and the final summary table. Pure.
import type { SimulationProgress, SimulationSummary } from './run-simulation.ts';

const latency = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

export function formatProgressLine(p: SimulationProgress): string {
  return [
    `[${(p.elapsedMs / 1000).toFixed(1)}s ${p.phase}]`,
    `sent ${p.sent}`,
    `accepted ${p.accepted}`,
    `rejected ${p.rejected}`,
    ...(p.networkErrors > 0 ? [`network errors ${p.networkErrors}`] : []),
    `${p.eventsPerSecond.toFixed(1)} ev/s`,
    `p50 ${latency(p.latencyMs.p50)}`,
    `p99 ${latency(p.latencyMs.p99)}`,
  ].join('  ');
}

export function formatSummaryTable(summary: SimulationSummary, url: string): string {
  const rejected = Object.values(summary.rejectedByStatus).reduce((a, b) => a + b, 0);
  const byStatus = Object.entries(summary.rejectedByStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  const rows: [string, string][] = [
    ['target', url],
    ['url validation (CRC)', summary.crcOk ? 'ok' : 'FAILED'],
    ['sent', String(summary.sent)],
    ...Object.entries(summary.sentByEvent).map(([event, n]): [string, string] => [`  ${event}`, String(n)]),
    ['accepted (2xx)', String(summary.accepted)],
    ['rejected', rejected === 0 ? '0' : `${rejected} (${byStatus})`],
    ['network errors', String(summary.networkErrors)],
    ['ack latency p50', latency(summary.latencyMs.p50)],
    ['ack latency p99', latency(summary.latencyMs.p99)],
    ['ack latency max', latency(summary.latencyMs.max)],
    ['duration', `${(summary.durationMs / 1000).toFixed(1)} s`],
    ['events/s', summary.eventsPerSecond.toFixed(1)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}
