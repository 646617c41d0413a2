// Constant-memory latency recorder: 10 µs buckets below 1 ms, then buckets 2 % wide (log scale).
// Quantiles are accurate to about 1 %, which is plenty for p50/p90/p99 of HTTP acks. Pure.

export interface LatencyStats {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LatencyHistogram {
  record(ms: number): void;
  count(): number;
  /** q in [0, 1]; 0 when nothing was recorded. */
  quantile(q: number): number;
  max(): number;
  stats(): LatencyStats;
}

const LINEAR_BUCKETS = 100; // 0.00–0.99 ms in 10 µs steps
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

function bucketOf(ms: number): number {
  if (ms < 1) return Math.floor(ms * 100);
  return LINEAR_BUCKETS + Math.floor(Math.log(ms) / LOG_GROWTH);
}

/** Middle of the bucket, so a bucket's value is within ~1 % of every sample in it. */
function valueOf(bucket: number): number {
  if (bucket < LINEAR_BUCKETS) return (bucket + 0.5) / 100;
  const k = bucket - LINEAR_BUCKETS;
  return (GROWTH ** k + GROWTH ** (k + 1)) / 2;
}

export function createLatencyHistogram(): LatencyHistogram {
  const counts = new Map<number, number>();
  let total = 0;
  let maxMs = 0;
  const quantile = (q: number): number => {
    if (total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
      seen += counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(valueOf(bucket), maxMs);
    }
    return maxMs;
  };
  return {
    record(ms) {
      const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
      const bucket = bucketOf(value);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      total++;
      if (value > maxMs) maxMs = value;
    },
    count: () => total,
    quantile,
    max: () => maxMs,
    stats: () => ({ p50: round(quantile(0.5)), p90: round(quantile(0.9)), p99: round(quantile(0.99)), max: round(maxMs) }),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** One second of a run: requests answered in it (any status), failures (≥ 500 answers and no answer), and ack latency. */
export type LatencySecond = [second: number, answered: number, failed: number, p50: number, p99: number, max: number];

export interface LatencySeries {
  /** An answer (latencyMs) or, with latencyMs undefined, a request that got no answer; atMs from the start of the run. */
  record(atMs: number, latencyMs: number | undefined, failed: boolean): void;
  /** One row per second that saw an answer or a failure, in time order. */
  rows(): LatencySecond[];
}

/** Ack latency second by second (a histogram per second), for "latency over time" charts. */
export function createLatencySeries(): LatencySeries {
  const seconds = new Map<number, { histogram: LatencyHistogram; failed: number }>();
  return {
    record(atMs, latencyMs, failed) {
      const second = Math.max(0, Math.floor(atMs / 1000));
      let entry = seconds.get(second);
      if (entry === undefined) seconds.set(second, (entry = { histogram: createLatencyHistogram(), failed: 0 }));
      if (latencyMs !== undefined) entry.histogram.record(latencyMs);
      if (failed) entry.failed++;
    },
    rows: () =>
      [...seconds.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([second, { histogram, failed }]) => {
          const s = histogram.stats();
          return [second, histogram.count(), failed, s.p50, s.p99, s.max];
        }),
  };
}
