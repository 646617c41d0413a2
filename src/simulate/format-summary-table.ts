// Text shown by `qss-forwarder simulate`: the live progress line and the final summary table. Pure.
import type { SimulationProgress, SimulationSummary } from './simulation-summary.ts';

const latency = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

export function formatProgressLine(p: SimulationProgress): string {
  return [
    `[${(p.elapsedMs / 1000).toFixed(1)}s ${p.phase}]`,
    `sent ${p.sent}`,
    `accepted ${p.accepted}`,
    `rejected ${p.rejected}`,
    ...(p.networkErrors > 0 ? [`network errors ${p.networkErrors}`] : []),
    ...(p.retries > 0 || p.pendingRetries > 0 ? [`retries ${p.retries} (${p.pendingRetries} waiting)`] : []),
    ...(p.abandoned > 0 ? [`abandoned ${p.abandoned}`] : []),
    `${p.eventsPerSecond.toFixed(1)} ev/s`,
    `p50 ${latency(p.latencyMs.p50)}`,
    `p99 ${latency(p.latencyMs.p99)}`,
  ].join('  ');
}

function networkErrors(summary: SimulationSummary): string {
  const codes = Object.entries(summary.deliveries.networkErrorsByCode).sort(([a], [b]) => a.localeCompare(b));
  return codes.length === 0 ? String(summary.networkErrors) : `${summary.networkErrors} (${codes.map(([code, n]) => `${code}: ${n}`).join(', ')})`;
}

function eventsLine(summary: SimulationSummary): string {
  const e = summary.events;
  const parts = [`${e.generated} generated`, `${e.acked} acked`];
  if (e.rejected > 0) parts.push(`${e.rejected} rejected`);
  if (e.abandoned > 0) parts.push(`${e.abandoned} abandoned`);
  if (e.cancelled > 0) parts.push(`${e.cancelled} cancelled`);
  return parts.join(', ');
}

function retriesLine(summary: SimulationSummary): string {
  const d = summary.deliveries;
  return d.retries === 0 ? '0' : `${d.retries} (${d.retriesByAttempt.map((n, i) => `#${i + 1}: ${n}`).join(', ')})`;
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
    ['network errors', networkErrors(summary)],
    ['events', eventsLine(summary)],
    ['retries', retriesLine(summary)],
    ['duplicates sent', String(summary.deliveries.duplicates)],
    ['reordered', String(summary.events.reordered)],
    ...(summary.participants.degraded > 0 ? [['degraded participants', `${summary.participants.degraded} of ${summary.participants.total}`] as [string, string]] : []),
    ['ack latency p50', latency(summary.latencyMs.p50)],
    ['ack latency p90', latency(summary.latencyMs.p90)],
    ['ack latency p99', latency(summary.latencyMs.p99)],
    ['ack latency max', latency(summary.latencyMs.max)],
    ['duration', `${(summary.durationMs / 1000).toFixed(1)} s`],
    ['events/s', summary.eventsPerSecond.toFixed(1)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}
