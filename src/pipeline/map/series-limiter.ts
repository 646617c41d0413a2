// The cardinality cap of one sink: at most `maxSeriesPerMetric` distinct series (metric name +
// attribute values) per metric at once. A point of a known series always passes; a point of a new
// series passes while there is room, else it is dropped (the caller counts it). A series that sees
// no point for `idleMs` stops counting. Pure apart from its own state; the clock is passed in.
// Per metric, one Map in last-seen order: the idle sweep reads from the front and stops at the
// first live series, so every check is O(1) amortised.

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
      key = JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
      memo.set(attributes, key);
    }
    return key;
  };
}

export function createSeriesLimiter(options: { maxSeriesPerMetric: number; idleMs: number }): SeriesLimiter {
  const { maxSeriesPerMetric: max, idleMs } = options;
  const keyOf = attributeKeyer();
  const byMetric = new Map<string, Map<string, number>>();

  const sweep = (seen: Map<string, number>, nowMs: number): void => {
    for (const [key, at] of seen) {
      if (nowMs - at < idleMs) return;
      seen.delete(key);
    }
  };

  return {
    admit(metric, attributes, nowMs) {
      if (max === 0) return true;
      let seen = byMetric.get(metric);
      if (seen === undefined) {
        seen = new Map();
        byMetric.set(metric, seen);
      }
      const key = keyOf(attributes);
      if (seen.has(key)) {
        seen.delete(key); // move to the back: last-seen order
        seen.set(key, nowMs);
        return true;
      }
      if (seen.size >= max) sweep(seen, nowMs);
      if (seen.size >= max) return false;
      seen.set(key, nowMs);
      return true;
    },
    series: () => Object.fromEntries([...byMetric].map(([metric, seen]) => [metric, seen.size])),
  };
}
