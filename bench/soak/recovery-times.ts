// How long a soak run took to recover from its fault, from the series the harness recorded. Pure.
//
// - Answering again: from the start of the fault until the first second, at or after it, in which
//   the ingress answered and nothing failed (≥ 500 or no answer), when any second failed at all;
//   0 when the fault never made the ingress fail (a sink fault).
// - Backlog back to normal: from the start of the fault until the backlog, past its peak, is
//   back at its level before the fault (the largest sample in the 10 s before it, at least 20
//   records, +20 % slack). Undefined when it never got back within the run.

export interface FaultWindow {
  startMs: number;
  endMs: number;
}

export interface AckSecondLike {
  tMs: number;
  answered: number;
  failed: number;
}

const faultStart = (windows: readonly FaultWindow[]): number | undefined => (windows.length === 0 ? undefined : Math.min(...windows.map((w) => w.startMs)));

export function answeringAgainMs(windows: readonly FaultWindow[], acks: readonly AckSecondLike[]): number | undefined {
  const start = faultStart(windows);
  if (start === undefined) return undefined;
  // Seconds overlapping the fault or after it; a second starting up to 1 s before it may hold its first failures.
  const after = acks.filter((a) => a.tMs + 1000 > start).sort((x, y) => x.tMs - y.tMs);
  const lastFailed = after.reduce((last, a, i) => (a.failed > 0 ? i : last), -1);
  if (lastFailed < 0) return 0;
  const back = after.slice(lastFailed + 1).find((a) => a.answered > 0 && a.failed === 0);
  return back === undefined ? undefined : Math.max(0, back.tMs - start);
}

export function backlogNormalMs(windows: readonly FaultWindow[], lag: readonly { tMs: number; records: number }[]): number | undefined {
  const start = faultStart(windows);
  if (start === undefined) return undefined;
  const before = lag.filter((l) => l.tMs >= start - 10_000 && l.tMs < start).map((l) => l.records);
  const normal = Math.max(20, ...before) * 1.2;
  const after = lag.filter((l) => l.tMs >= start);
  if (after.length === 0) return undefined;
  const peak = after.reduce((best, l) => (l.records > best.records ? l : best), after[0]!);
  const back = after.find((l) => l.tMs >= peak.tMs && l.records <= normal);
  return back === undefined ? undefined : back.tMs - start;
}
