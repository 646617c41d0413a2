// Every string normalize takes from a Zoom body into an attribute (ids, qos type, participant
// dimensions) goes through here first, so what the pipeline keeps — the enrichment cache, the
// cardinality cap's series keys, the prometheus sink's gauges — is bounded whatever a signed
// sender puts in a value (`worker.max_attribute_value_chars`, docs/normalization.md). Longer
// values are cut, not dropped, and each cut is counted by attribute name. Pure.

export interface AttributeValueCap {
  /** Longest value kept, in UTF-16 code units (JavaScript string length). */
  readonly maxChars: number;
  /** Attribute name → values cut so far; undefined until one is. */
  cut: Record<string, number> | undefined;
}

/** One event's cap: `maxChars` and its own cut counts. Infinity = nothing is cut. */
export function attributeValueCap(maxChars: number): AttributeValueCap {
  return { maxChars, cut: undefined };
}

/**
 * The first `max` code units of `value` as a new string, one shorter when that would end between
 * the two halves of a surrogate pair. A copy on purpose: V8 makes `slice` of a long string a
 * "sliced string" that points into the original, so a cut 256-character value would keep a 0.9 MB
 * original alive for as long as the cut value lives (measured: no memory saved at all).
 */
export function truncatedCopy(value: string, max: number): string {
  const last = value.charCodeAt(max - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
  return JSON.parse(JSON.stringify(value.slice(0, end))) as string;
}

/** `value`, or its first `cap.maxChars` characters (counted under `name` in `cap.cut`). */
export function capAttributeValue(cap: AttributeValueCap, name: string, value: string): string {
  if (value.length <= cap.maxChars) return value;
  const cut = (cap.cut ??= {});
  cut[name] = (cut[name] ?? 0) + 1;
  return truncatedCopy(value, cap.maxChars);
}
