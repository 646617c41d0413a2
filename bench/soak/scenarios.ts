// The named soak scenarios (issue "Proof under fire" §3). `quick` variants are the seconds-long
// versions that run in npm test (test/integration/soak.test.ts); the others are for bench:soak.
import type { Scenario } from './run-soak.ts';

/** Mixed traffic: meetings, webinars, sessions and calls, some degraded, with duplicates and reordering; Zoom's retries at 1/1000 speed. */
export function traffic(seconds: number, rate: number, concurrency = 16): string[] {
  return ['--meetings', '6', '--webinars', '2', '--sessions', '2', '--calls', '3', '--participants', '5', '--duration', `${seconds}s`, '--rate', String(rate), '--degraded', '0.1', '--duplicates', '0.01', '--reorder', '0.01', '--retry-time-scale', '0.001', '--concurrency', String(concurrency), '--seed', '7'];
}

/** Requests in flight during the load runs and the capacity probe (Zoom sends in parallel; 16 would cap the offered load). */
const LOAD_CONCURRENCY = 64;

/**
 * The ingress's capacity in the load runs' own topology: the simulator as fast as it can (a rate it
 * cannot reach, 64 requests in flight) at `serve` (embedded bus) while its sink workers deliver.
 * Nothing is accounted afterwards (`accounting: false`): the figure is the acks per second. The
 * load runs use the embedded bus (the figures of docs/performance.md's one-box section).
 */
export function capacityProbe(seconds: number): Scenario {
  return { name: 'capacity', bus: 'embedded', simulate: traffic(seconds, 100_000, LOAD_CONCURRENCY), faults: [], settleMs: 0, accounting: false };
}

export function scenarios(seconds: number, rate: number, capacity = 500, loadSeconds = seconds): Scenario[] {
  const t = traffic(seconds, rate);
  const load = (share: number): Scenario => ({ name: `load-${share}`, bus: 'embedded', simulate: traffic(loadSeconds, Math.round((capacity * share) / 100), LOAD_CONCURRENCY), faults: [], settleMs: 120_000 });
  const mid = Math.round((seconds * 1000) / 3);
  const settleMs = 90_000;
  return [
    load(50),
    load(100),
    load(150),
    { name: 'steady-embedded', bus: 'embedded', simulate: t, faults: [], settleMs },
    { name: 'steady-kafka', bus: 'kafka', simulate: t, faults: [], settleMs },
    { name: 'kill-serve', bus: 'embedded', simulate: t, faults: [{ atMs: mid, action: { kind: 'kill', role: 'serve', restartAfterMs: 1000 } }], settleMs },
    { name: 'kill-ingress', bus: 'kafka', simulate: t, faults: [{ atMs: mid, action: { kind: 'kill', role: 'ingress', restartAfterMs: 1000 } }], settleMs },
    { name: 'kill-worker', bus: 'kafka', simulate: t, faults: [{ atMs: mid, action: { kind: 'kill', role: 'worker', restartAfterMs: 1000 } }], settleMs },
    { name: 'broker-down', bus: 'kafka', simulate: t, faults: [{ atMs: mid, action: { kind: 'broker-down', forMs: Math.min(30_000, seconds * 500) } }], settleMs },
    { name: 'kill-leader', bus: 'kafka', simulate: t, faults: [{ atMs: mid, action: { kind: 'kill-leader', restartAfterMs: Math.min(30_000, seconds * 500) } }], settleMs },
    { name: 'stall-leader', bus: 'kafka', simulate: t, faults: [{ atMs: mid, action: { kind: 'stall-leader', forMs: Math.min(30_000, seconds * 500) } }], settleMs },
    { name: 'sink-503', bus: 'embedded', simulate: t, faults: [{ atMs: mid, action: { kind: 'sink', sink: 'otel', mode: { kind: 'status', status: 503 }, forMs: Math.min(60_000, seconds * 500) } }], settleMs },
    { name: 'sink-429', bus: 'embedded', simulate: t, faults: [{ atMs: mid, action: { kind: 'sink', sink: 'dd', mode: { kind: 'status', status: 429, headers: { 'retry-after': '2' } }, forMs: Math.min(20_000, seconds * 300) } }], settleMs },
    { name: 'sink-rejects-a-type', bus: 'embedded', simulate: t, faults: [{ atMs: 0, action: { kind: 'hec-reject-event-type', event: 'meeting.participant_data_summary' } }], settleMs },
    { name: 'sink-slow', bus: 'embedded', simulate: t, faults: [{ atMs: mid, action: { kind: 'sink', sink: 'hec', mode: { kind: 'slow', delayMs: 2000 }, forMs: Math.min(30_000, seconds * 500) } }], settleMs },
  ];
}
