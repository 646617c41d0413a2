// The cardinality cap of one sink: at most `maxSeriesPerMetric` distinct series (metric name +
// attribute values) per metric at once. A point of a known series always passes; a point of a new
// series passes while there is room, else it is dropped (the caller counts it). A series that sees
// no point for `idleMs` stops counting. Pure apart from its own state; the clock is passed in.
// Known series only get their last-seen time updated (one Map set); idle series are swept out
// when a metric is at its cap, at most once per `idleMs / 4`, so a full metric costs O(1) amortised.

export interface SeriesLimiter {
  /** True if the point may be sent. */
  admit(metric: string, attributes: Readonly<Record<string, string>>, nowMs: number): boolean;
  /** Series counted now, per metric. */
  series(): Record<string, number>;
}

/** A canonical key of an attribute set (order-independent), remembered per frozen object. */
function attributeKeyer(): (attributes: Readonly<Record<string, string>>) => string {
  const memo = new WeakMap<object, string>();
  return (attributes) => {
    let key = memo.get(attributes);
    if (key === undefined) {
      // Names and values joined by separators that cannot appear in them unescaped (\u0000, \u0001).
      key = '';
      for (const k of Object.keys(attributes).sort()) key += `${k}\u0000${attributes[k]}\u0001`;
      memo.set(attributes, key);
    }
    return key;
  };
}

interface MetricSeries {
  lastSeen: Map<string, number>;
  sweptAt: number;
}

export function createSeriesLimiter(options: { maxSeriesPerMetric: number; idleMs: number }): SeriesLimiter {
  const { maxSeriesPerMetric: max, idleMs } = options;
  const keyOf = attributeKeyer();
  const byMetric = new Map<string, MetricSeries>();

  const sweep = (m: MetricSeries, nowMs: number): void => {
    m.sweptAt = nowMs;
    for (const [key, at] of m.lastSeen) if (nowMs - at >= idleMs) m.lastSeen.delete(key);
  };

  return {
    admit(metric, attributes, nowMs) {
      if (max === 0) return true;
      let m = byMetric.get(metric);
      if (m === undefined) {
        m = { lastSeen: new Map(), sweptAt: nowMs };
        byMetric.set(metric, m);
      }
      const key = keyOf(attributes);
      if (m.lastSeen.has(key)) {
        m.lastSeen.set(key, nowMs);
        return true;
      }
      if (m.lastSeen.size >= max && nowMs - m.sweptAt >= idleMs / 4) sweep(m, nowMs);
      if (m.lastSeen.size >= max) return false;
      m.lastSeen.set(key, nowMs);
      return true;
    },
    series: () => Object.fromEntries([...byMetric].map(([metric, m]) => [metric, m.lastSeen.size])),
  };
}
