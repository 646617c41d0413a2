// The table cells and chart series the reliability reports make of soak runs: shared by
// make-report.ts (the whole docs/reliability.md) and cluster-section.ts (its Kafka-cluster section).
import { answeringAgainMs, backlogNormalMs } from './recovery-times.ts';
import type { SoakReport } from './run-soak.ts';
import type { ChartSeries } from './svg-chart.ts';

export const seconds = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
export const latency = (r: SoakReport): string => `${r.simulate.ackLatencyMs.p50} / ${r.simulate.ackLatencyMs.p99} / ${r.simulate.ackLatencyMs.max} ms`;
export const maxBacklog = (r: SoakReport): number => Math.max(0, ...r.lag.map((l) => l.records));
export const maxDuplicates = (r: SoakReport): number => Math.max(0, ...r.accounts.map((a) => a.duplicates));

/** Answers that were not 2xx, and requests with no answer, over every request sent. */
export function errorRate(r: Pick<SoakReport, 'simulate'>): string {
  const req = r.simulate.requests;
  const bad = Object.entries(req.byStatus).filter(([status]) => !status.startsWith('2')).reduce((n, [, c]) => n + c, 0) + req.networkErrors;
  return `${((100 * bad) / Math.max(1, req.sent)).toFixed(2)} %`;
}

/** The faults of a run and how long each lasted ('none' without one). */
export const faultCell = (r: SoakReport): string =>
  r.faultWindows.map((w) => (r.scenario.startsWith('kill-') ? `${w.label}, restarted after ${seconds(w.endMs - w.startMs)}` : `${w.label} (${seconds(w.endMs - w.startMs)})`)).join('; ') || 'none';

/** From the fault until the ingress answered every request again. */
export const answeringAgainCell = (r: SoakReport): string => (r.faultWindows.length === 0 ? '—' : seconds(answeringAgainMs(r.faultWindows, r.acks ?? [])));

/** From the fault until the backlog was back to its level before it. */
export function backToNormalCell(r: SoakReport): string {
  if (r.faultWindows.length === 0) return '—';
  const normalMs = backlogNormalMs(r.faultWindows, r.lag);
  if (normalMs !== undefined) return seconds(normalMs);
  // A lag series that never settles (a worker's stale gauge) still has an upper bound: every event was found.
  const firstFault = Math.min(...r.faultWindows.map((w) => w.startMs));
  return r.lost === 0 ? `≤ ${seconds(r.drainedMs - firstFault)} (every event found)` : '—';
}

export const p99Series = (rs: readonly SoakReport[]): ChartSeries[] => rs.map((r) => ({ label: r.scenario, points: (r.acks ?? []).map((a) => [a.tMs / 1000, a.p99] as [number, number]) }));
export const backlogSeries = (rs: readonly SoakReport[]): ChartSeries[] => rs.map((r) => ({ label: r.scenario, points: r.lag.map((l) => [l.tMs / 1000, l.records] as [number, number]) }));
